/// One attribute of a STUN message, typed where this module knows its format.
///
/// MESSAGE-INTEGRITY and FINGERPRINT are not cases: `StunMessage.encoded(integrity:fingerprint:)`
/// computes them, and decoding checks FINGERPRINT and keeps MESSAGE-INTEGRITY for
/// `StunMessage.verifyIntegrity(key:)`.
public enum StunAttribute: Hashable, Sendable {
    /// MAPPED-ADDRESS: the client's address as the server saw it, not obfuscated (RFC 3489 servers).
    case mappedAddress(StunAddress)
    /// XOR-MAPPED-ADDRESS: the client's address as the server saw it.
    case xorMappedAddress(StunAddress)
    /// XOR-RELAYED-ADDRESS: the address the TURN server relays from.
    case xorRelayedAddress(StunAddress)
    /// XOR-PEER-ADDRESS: a peer's address, in permissions, channels, Send and Data.
    case xorPeerAddress(StunAddress)
    /// USERNAME, UTF-8.
    case username(String)
    /// ERROR-CODE: the code and the server's reason phrase.
    case errorCode(StunErrorCode, reason: String)
    /// UNKNOWN-ATTRIBUTES: the comprehension-required types a 420 response refused.
    case unknownAttributes([StunAttributeType])
    /// REALM, UTF-8.
    case realm(String)
    /// NONCE, UTF-8.
    case nonce(String)
    /// LIFETIME in seconds.
    case lifetime(UInt32)
    /// REQUESTED-TRANSPORT: the protocol the relay should use toward peers.
    case requestedTransport(TransportProtocol)
    /// SOFTWARE, UTF-8.
    case software(String)
    /// DATA: application bytes in Send and Data indications.
    case data([UInt8])
    /// CHANNEL-NUMBER, 0x4000–0x7FFF.
    case channelNumber(UInt16)
    /// An attribute this module does not type, kept raw (value without padding).
    case unknown(type: StunAttributeType, value: [UInt8])

    /// The attribute's wire type.
    public var type: StunAttributeType {
        switch self {
        case .mappedAddress: .mappedAddress
        case .xorMappedAddress: .xorMappedAddress
        case .xorRelayedAddress: .xorRelayedAddress
        case .xorPeerAddress: .xorPeerAddress
        case .username: .username
        case .errorCode: .errorCode
        case .unknownAttributes: .unknownAttributes
        case .realm: .realm
        case .nonce: .nonce
        case .lifetime: .lifetime
        case .requestedTransport: .requestedTransport
        case .software: .software
        case .data: .data
        case .channelNumber: .channelNumber
        case .unknown(let type, _): type
        }
    }
}
