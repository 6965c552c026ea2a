/// The 16-bit type of a STUN attribute (RFC 8489 §14, §18.3; RFC 8656 §18).
///
/// Types below 0x8000 are comprehension-required: an agent that does not know one must
/// reject a request carrying it with error 420 and list it in UNKNOWN-ATTRIBUTES.
public struct StunAttributeType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The type number.
    public let rawValue: UInt16

    /// Any 16-bit type.
    public init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    /// MAPPED-ADDRESS (0x0001).
    public static let mappedAddress = StunAttributeType(rawValue: 0x0001)
    /// USERNAME (0x0006).
    public static let username = StunAttributeType(rawValue: 0x0006)
    /// MESSAGE-INTEGRITY (0x0008): HMAC-SHA1 of the message before it.
    public static let messageIntegrity = StunAttributeType(rawValue: 0x0008)
    /// ERROR-CODE (0x0009).
    public static let errorCode = StunAttributeType(rawValue: 0x0009)
    /// UNKNOWN-ATTRIBUTES (0x000A).
    public static let unknownAttributes = StunAttributeType(rawValue: 0x000A)
    /// CHANNEL-NUMBER (0x000C).
    public static let channelNumber = StunAttributeType(rawValue: 0x000C)
    /// LIFETIME (0x000D).
    public static let lifetime = StunAttributeType(rawValue: 0x000D)
    /// XOR-PEER-ADDRESS (0x0012).
    public static let xorPeerAddress = StunAttributeType(rawValue: 0x0012)
    /// DATA (0x0013).
    public static let data = StunAttributeType(rawValue: 0x0013)
    /// REALM (0x0014).
    public static let realm = StunAttributeType(rawValue: 0x0014)
    /// NONCE (0x0015).
    public static let nonce = StunAttributeType(rawValue: 0x0015)
    /// XOR-RELAYED-ADDRESS (0x0016).
    public static let xorRelayedAddress = StunAttributeType(rawValue: 0x0016)
    /// REQUESTED-TRANSPORT (0x0019).
    public static let requestedTransport = StunAttributeType(rawValue: 0x0019)
    /// MESSAGE-INTEGRITY-SHA256 (0x001C): decoded as an unknown attribute, not verified.
    public static let messageIntegritySHA256 = StunAttributeType(rawValue: 0x001C)
    /// XOR-MAPPED-ADDRESS (0x0020).
    public static let xorMappedAddress = StunAttributeType(rawValue: 0x0020)
    /// SOFTWARE (0x8022).
    public static let software = StunAttributeType(rawValue: 0x8022)
    /// FINGERPRINT (0x8028): CRC-32 of the message before it, XOR 0x5354554E.
    public static let fingerprint = StunAttributeType(rawValue: 0x8028)

    /// Whether an agent that does not understand this type must refuse the message
    /// (types 0x0000–0x7FFF).
    public var isComprehensionRequired: Bool { rawValue < 0x8000 }

    /// The type as `0x` and four hex digits.
    public var description: String {
        let hex = String(rawValue, radix: 16, uppercase: true)
        return "0x" + String(repeating: "0", count: 4 - hex.count) + hex
    }
}

/// The transport protocol a TURN client asks the relay to use toward peers, as an IANA
/// protocol number in REQUESTED-TRANSPORT (RFC 8656 §18.7; TCP relaying is RFC 6062).
public struct TransportProtocol: RawRepresentable, Hashable, Sendable {
    /// The IANA protocol number.
    public let rawValue: UInt8

    /// Any protocol number.
    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// UDP, protocol 17: the relaying every TURN server supports.
    public static let udp = TransportProtocol(rawValue: 17)
    /// TCP, protocol 6 (RFC 6062).
    public static let tcp = TransportProtocol(rawValue: 6)
}
