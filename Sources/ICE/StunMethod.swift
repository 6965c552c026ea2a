/// A STUN method: the 12-bit operation a message asks for (RFC 8489 §5, RFC 8656 §17).
///
/// A struct rather than an enum so that a message with a method this module does not
/// know still decodes and can be answered.
public struct StunMethod: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The method number, 0x000 through 0xFFF.
    public let rawValue: UInt16

    /// Creates a method from its number; `nil` past the 12 bits a method has.
    public init?(rawValue: UInt16) {
        guard rawValue <= 0xFFF else { return nil }
        self.rawValue = rawValue
    }

    /// Keeps the low 12 bits of `bits`, for numbers already known to fit.
    init(masking bits: UInt16) {
        rawValue = bits & 0xFFF
    }

    /// Binding (0x001): asks a STUN server for the address it sees (RFC 8489).
    public static let binding = StunMethod(masking: 0x001)
    /// Allocate (0x003): asks a TURN server for a relayed address (RFC 8656).
    public static let allocate = StunMethod(masking: 0x003)
    /// Refresh (0x004): extends or, with lifetime 0, deletes an allocation.
    public static let refresh = StunMethod(masking: 0x004)
    /// Send (0x006): an indication carrying data for the relay to send to a peer.
    public static let send = StunMethod(masking: 0x006)
    /// Data (0x007): an indication carrying data the relay received from a peer.
    public static let data = StunMethod(masking: 0x007)
    /// CreatePermission (0x008): lets a peer's packets through the relay.
    public static let createPermission = StunMethod(masking: 0x008)
    /// ChannelBind (0x009): binds a channel number to a peer for ChannelData framing.
    public static let channelBind = StunMethod(masking: 0x009)

    /// The method's name from its RFC, or its number in hex.
    public var description: String {
        switch self {
        case .binding: "Binding"
        case .allocate: "Allocate"
        case .refresh: "Refresh"
        case .send: "Send"
        case .data: "Data"
        case .createPermission: "CreatePermission"
        case .channelBind: "ChannelBind"
        default: "method 0x" + String(rawValue, radix: 16)
        }
    }
}

/// The class of a STUN message (RFC 8489 §5): what kind of message it is for its method.
public enum StunClass: UInt8, Hashable, Sendable, CaseIterable {
    /// A request, answered by a success or error response.
    case request = 0b00
    /// An indication: no response is sent.
    case indication = 0b01
    /// A success response to a request.
    case successResponse = 0b10
    /// An error response to a request; it carries ERROR-CODE.
    case errorResponse = 0b11
}

/// The 14-bit message type of the header, which interleaves the method's 12 bits with the
/// class's 2 (RFC 8489 §5, figure 3):
///
///     bit:  13 12 11 10  9  8  7  6  5  4  3  2  1  0
///           M11 M10 M9 M8 M7 C1 M6 M5 M4 C0 M3 M2 M1 M0
enum StunMessageType {
    static func encode(method: StunMethod, messageClass: StunClass) -> UInt16 {
        let m = method.rawValue
        let c = UInt16(messageClass.rawValue)
        return (m & 0x000F) | (m & 0x0070) << 1 | (m & 0x0F80) << 2 | (c & 0b01) << 4 | (c & 0b10) << 7
    }

    /// Splits a type field whose two top bits the caller has found to be zero.
    static func decode(_ type: UInt16) -> (method: StunMethod, messageClass: StunClass) {
        let m = (type & 0x000F) | (type & 0x00E0) >> 1 | (type & 0x3E00) >> 2
        let messageClass: StunClass = switch (type & 0x0100 != 0, type & 0x0010 != 0) {
        case (false, false): .request
        case (false, true): .indication
        case (true, false): .successResponse
        case (true, true): .errorResponse
        }
        return (StunMethod(masking: m), messageClass)
    }
}
