/// Attribute values to and from their wire bytes (without the 4-byte type-length header
/// and without padding).
extension StunAttribute {
    /// The value bytes; XOR addresses need the message's transaction ID.
    func encodedValue(transactionID: TransactionID) throws(StunEncodingError) -> [UInt8] {
        switch self {
        case .mappedAddress(let address):
            return address.encoded(xor: false, transactionID: transactionID)
        case .xorMappedAddress(let address), .xorRelayedAddress(let address), .xorPeerAddress(let address):
            return address.encoded(xor: true, transactionID: transactionID)
        case .username(let text), .realm(let text), .nonce(let text), .software(let text):
            return Array(text.utf8)
        case .errorCode(let code, let reason):
            return [0, 0, code.errorClass, code.number] + Array(reason.utf8)
        case .unknownAttributes(let types):
            var value: [UInt8] = []
            for type in types { value.appendUInt16(type.rawValue) }
            return value
        case .lifetime(let seconds):
            var value: [UInt8] = []
            value.appendUInt32(seconds)
            return value
        case .requestedTransport(let transport):
            return [transport.rawValue, 0, 0, 0]
        case .data(let bytes):
            return bytes
        case .channelNumber(let channel):
            guard ChannelData.validChannels.contains(channel) else { throw .invalidChannelNumber(channel) }
            var value: [UInt8] = []
            value.appendUInt16(channel)
            return value + [0, 0]
        case .unknown(let type, let value):
            guard type != .messageIntegrity, type != .fingerprint else { throw .reservedAttribute(type) }
            return value
        }
    }

    /// Types an attribute from its wire type and value. Types this module does not know
    /// become `.unknown`; a known type with a malformed value throws.
    init(type: StunAttributeType, value: [UInt8], transactionID: TransactionID) throws(StunDecodingError) {
        switch type {
        case .mappedAddress:
            self = .mappedAddress(try StunAddress(decoding: value, xor: false, transactionID: transactionID, type: type))
        case .xorMappedAddress:
            self = .xorMappedAddress(try StunAddress(decoding: value, xor: true, transactionID: transactionID, type: type))
        case .xorRelayedAddress:
            self = .xorRelayedAddress(try StunAddress(decoding: value, xor: true, transactionID: transactionID, type: type))
        case .xorPeerAddress:
            self = .xorPeerAddress(try StunAddress(decoding: value, xor: true, transactionID: transactionID, type: type))
        case .username:
            self = .username(try Self.text(value, type))
        case .realm:
            self = .realm(try Self.text(value, type))
        case .nonce:
            self = .nonce(try Self.text(value, type))
        case .software:
            self = .software(try Self.text(value, type))
        case .errorCode:
            guard value.count >= 4 else { throw .badAttributeLength(type, value.count) }
            let errorClass = value[2] & 0x07
            let number = value[3]
            guard number < 100, let code = StunErrorCode(rawValue: Int(errorClass) * 100 + Int(number)) else {
                throw .invalidErrorCode(errorClass: errorClass, number: number)
            }
            self = .errorCode(code, reason: try Self.text(Array(value[4...]), type))
        case .unknownAttributes:
            guard value.count % 2 == 0 else { throw .badAttributeLength(type, value.count) }
            self = .unknownAttributes(stride(from: 0, to: value.count, by: 2).map {
                StunAttributeType(rawValue: value.uint16(at: $0))
            })
        case .lifetime:
            guard value.count == 4 else { throw .badAttributeLength(type, value.count) }
            self = .lifetime(value.uint32(at: 0))
        case .requestedTransport:
            guard value.count == 4 else { throw .badAttributeLength(type, value.count) }
            self = .requestedTransport(TransportProtocol(rawValue: value[0]))
        case .data:
            self = .data(value)
        case .channelNumber:
            guard value.count == 4 else { throw .badAttributeLength(type, value.count) }
            let channel = value.uint16(at: 0)
            guard ChannelData.validChannels.contains(channel) else { throw .invalidChannelNumber(channel) }
            self = .channelNumber(channel)
        default:
            self = .unknown(type: type, value: value)
        }
    }

    /// Strict UTF-8: bytes that do not survive a decode and re-encode unchanged are refused.
    private static func text(_ value: [UInt8], _ type: StunAttributeType) throws(StunDecodingError) -> String {
        let text = String(decoding: value, as: UTF8.self)
        guard text.utf8.elementsEqual(value) else { throw .invalidUTF8(type) }
        return text
    }
}
