/// The number of an ERROR-CODE attribute, 300 through 699 (RFC 8489 §14.8), with the
/// meanings STUN and TURN give the codes a probe meets (RFC 8489 §14.8, RFC 8656 §19).
///
/// The reason phrase travels beside the code in `StunAttribute.errorCode(_:reason:)`, so
/// that comparing codes ignores how a server words them.
public struct StunErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The code, 300 through 699.
    public let rawValue: Int

    /// A code from its number; `nil` outside 300...699, which the attribute cannot carry.
    public init?(rawValue: Int) {
        guard (300...699).contains(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    /// The class, the hundreds digit: 3 through 6.
    var errorClass: UInt8 { UInt8(rawValue / 100) }
    /// The number within the class: 0 through 99.
    var number: UInt8 { UInt8(rawValue % 100) }

    private init(known rawValue: Int) {
        self.rawValue = rawValue
    }

    /// 300: the client should contact the server in ALTERNATE-SERVER.
    public static let tryAlternate = StunErrorCode(known: 300)
    /// 400: the request was malformed.
    public static let badRequest = StunErrorCode(known: 400)
    /// 401: the request lacked valid credentials; retry with REALM and NONCE.
    public static let unauthenticated = StunErrorCode(known: 401)
    /// 403: the request was valid but is not allowed.
    public static let forbidden = StunErrorCode(known: 403)
    /// 420: the request had comprehension-required attributes the server does not know.
    public static let unknownAttribute = StunErrorCode(known: 420)
    /// 437: the allocation does not match the request's 5-tuple (or already exists).
    public static let allocationMismatch = StunErrorCode(known: 437)
    /// 438: the NONCE is no longer valid; retry with the new one.
    public static let staleNonce = StunErrorCode(known: 438)
    /// 440: the server does not support the requested address family.
    public static let addressFamilyNotSupported = StunErrorCode(known: 440)
    /// 441: the credentials differ from those the allocation was made with.
    public static let wrongCredentials = StunErrorCode(known: 441)
    /// 442: the server does not relay the REQUESTED-TRANSPORT protocol.
    public static let unsupportedTransportProtocol = StunErrorCode(known: 442)
    /// 486: the user has no allocations left.
    public static let allocationQuotaReached = StunErrorCode(known: 486)
    /// 500: the server failed temporarily.
    public static let serverError = StunErrorCode(known: 500)
    /// 508: the server has no capacity (no relayed addresses) left.
    public static let insufficientCapacity = StunErrorCode(known: 508)

    /// The reason phrase the RFCs give this code, or `nil` for a code they do not name.
    public var meaning: String? {
        switch self {
        case .tryAlternate: "Try Alternate"
        case .badRequest: "Bad Request"
        case .unauthenticated: "Unauthenticated"
        case .forbidden: "Forbidden"
        case .unknownAttribute: "Unknown Attribute"
        case .allocationMismatch: "Allocation Mismatch"
        case .staleNonce: "Stale Nonce"
        case .addressFamilyNotSupported: "Address Family not Supported"
        case .wrongCredentials: "Wrong Credentials"
        case .unsupportedTransportProtocol: "Unsupported Transport Protocol"
        case .allocationQuotaReached: "Allocation Quota Reached"
        case .serverError: "Server Error"
        case .insufficientCapacity: "Insufficient Capacity"
        default: nil
        }
    }

    /// The code and its meaning, e.g. `438 Stale Nonce`.
    public var description: String {
        "\(rawValue) " + (meaning ?? "(unassigned)")
    }
}
