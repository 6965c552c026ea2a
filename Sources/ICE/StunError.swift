/// Why bytes received from the network are not a well-formed STUN message or ChannelData
/// frame. Decoders throw these for any hostile or truncated input; they never trap.
public enum StunDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Fewer than the 20 bytes of a STUN header.
    case truncatedHeader(byteCount: Int)
    /// More bytes than the largest STUN message, 20 + 65535.
    case messageTooLarge(byteCount: Int)
    /// The first byte's two top bits are not 00, so this is not STUN.
    case notStun(firstByte: UInt8)
    /// The magic cookie is not 0x2112A442 (an RFC 3489 message, or not STUN).
    case badMagicCookie(UInt32)
    /// The header's length field is not a multiple of four.
    case lengthNotMultipleOfFour(Int)
    /// The header's length field disagrees with the bytes after the header.
    case lengthMismatch(declared: Int, available: Int)
    /// An attribute's length (with padding) runs past the end of the message.
    case truncatedAttribute(StunAttributeType, declaredLength: Int, remaining: Int)
    /// More attributes than `StunMessage.maximumAttributeCount`.
    case tooManyAttributes(limit: Int)
    /// A known attribute has a length its format does not allow.
    case badAttributeLength(StunAttributeType, Int)
    /// An address attribute's family is neither 0x01 (IPv4) nor 0x02 (IPv6).
    case unknownAddressFamily(UInt8)
    /// A text attribute is not valid UTF-8.
    case invalidUTF8(StunAttributeType)
    /// ERROR-CODE's class is not 3–6 or its number is not 0–99.
    case invalidErrorCode(errorClass: UInt8, number: UInt8)
    /// A channel number outside 0x4000–0x7FFF.
    case invalidChannelNumber(UInt16)
    /// FINGERPRINT does not match the CRC-32 of the message before it.
    case fingerprintMismatch(expected: UInt32, received: UInt32)
    /// An attribute follows FINGERPRINT, which must be last.
    case attributeAfterFingerprint(StunAttributeType)
    /// Fewer than the 4 bytes of a ChannelData header.
    case truncatedChannelDataHeader(byteCount: Int)
    /// The first byte's two top bits are not 01, so this is not ChannelData.
    case notChannelData(firstByte: UInt8)
    /// A ChannelData length field disagrees with the bytes after its 4-byte header
    /// (fewer than it declares, or more than its padding).
    case channelDataLengthMismatch(declared: Int, available: Int)
    /// A stream's next byte starts neither STUN (top bits 00) nor ChannelData (top bits 01).
    case notStunOrChannelData(firstByte: UInt8)

    /// A sentence naming the fault, for probe output.
    public var description: String {
        switch self {
        case .truncatedHeader(let count):
            "STUN message has \(count) bytes, fewer than its 20-byte header"
        case .messageTooLarge(let count):
            "STUN message has \(count) bytes, more than the largest possible (65555)"
        case .notStun(let byte):
            "not a STUN message: first byte 0x\(String(byte, radix: 16)) has its top bits set"
        case .badMagicCookie(let cookie):
            "not a STUN message: magic cookie is 0x\(String(cookie, radix: 16)), not 0x2112a442"
        case .lengthNotMultipleOfFour(let length):
            "STUN length field \(length) is not a multiple of 4"
        case .lengthMismatch(let declared, let available):
            "STUN length field says \(declared) bytes follow the header but \(available) do"
        case .truncatedAttribute(let type, let length, let remaining):
            "attribute \(type) declares \(length) bytes but only \(remaining) remain"
        case .tooManyAttributes(let limit):
            "STUN message has more than \(limit) attributes"
        case .badAttributeLength(let type, let length):
            "attribute \(type) cannot be \(length) bytes long"
        case .unknownAddressFamily(let family):
            "address family 0x\(String(family, radix: 16)) is neither IPv4 (1) nor IPv6 (2)"
        case .invalidUTF8(let type):
            "attribute \(type) is not valid UTF-8"
        case .invalidErrorCode(let errorClass, let number):
            "ERROR-CODE class \(errorClass) number \(number) is not a code from 300 to 699"
        case .invalidChannelNumber(let channel):
            "channel number 0x\(String(channel, radix: 16)) is outside 0x4000-0x7fff"
        case .fingerprintMismatch(let expected, let received):
            "FINGERPRINT is 0x\(String(received, radix: 16)) but the message's is 0x\(String(expected, radix: 16))"
        case .attributeAfterFingerprint(let type):
            "attribute \(type) follows FINGERPRINT, which must be last"
        case .truncatedChannelDataHeader(let count):
            "ChannelData has \(count) bytes, fewer than its 4-byte header"
        case .notChannelData(let byte):
            "not ChannelData: first byte 0x\(String(byte, radix: 16)) is outside 0x40-0x7f"
        case .channelDataLengthMismatch(let declared, let available):
            "ChannelData length field says \(declared) bytes but \(available) follow its header"
        case .notStunOrChannelData(let byte):
            "stream byte 0x\(String(byte, radix: 16)) starts neither STUN nor ChannelData"
        }
    }
}

/// Why a message or frame cannot be encoded: a value the wire format cannot carry.
public enum StunEncodingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// An attribute value longer than the 65535 bytes its length field can count.
    case attributeTooLong(StunAttributeType, Int)
    /// The attributes take more than the 65535 bytes the header's length field can count.
    case messageTooLarge(Int)
    /// More attributes than `StunMessage.maximumAttributeCount`, which decoders refuse.
    case tooManyAttributes(Int)
    /// MESSAGE-INTEGRITY or FINGERPRINT given as an attribute: `encoded(integrity:fingerprint:)`
    /// computes and places them.
    case reservedAttribute(StunAttributeType)
    /// A channel number outside 0x4000–0x7FFF.
    case invalidChannelNumber(UInt16)
    /// ChannelData longer than the 65535 bytes its length field can count.
    case channelDataTooLong(Int)

    /// A sentence naming the fault.
    public var description: String {
        switch self {
        case .attributeTooLong(let type, let length):
            "attribute \(type) has \(length) bytes, more than 65535"
        case .messageTooLarge(let length):
            "STUN attributes take \(length) bytes, more than 65535"
        case .tooManyAttributes(let count):
            "STUN message would have \(count) attributes, more than \(StunMessage.maximumAttributeCount)"
        case .reservedAttribute(let type):
            "attribute \(type) is computed by the encoder and cannot be given"
        case .invalidChannelNumber(let channel):
            "channel number 0x\(String(channel, radix: 16)) is outside 0x4000-0x7fff"
        case .channelDataTooLong(let length):
            "ChannelData has \(length) bytes, more than 65535"
        }
    }
}
