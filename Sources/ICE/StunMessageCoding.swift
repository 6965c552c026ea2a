/// STUN messages to and from bytes (RFC 8489 §5, §14.5, §14.7).
extension StunMessage {
    /// The message as bytes: header, attributes padded to four bytes, then, if asked for,
    /// MESSAGE-INTEGRITY (HMAC-SHA1 under `key`) and FINGERPRINT, each computed over the
    /// message before it with the length field counting up to and including it.
    ///
    /// - Parameter paddingByte: the value of padding bytes. RFC 8489 §14 lets senders pad
    ///   with anything and receivers ignore it; zero is usual, and RFC 5769's vectors use 0x20.
    /// - Throws: `StunEncodingError` for values the wire format cannot carry.
    public func encoded(integrity key: MessageIntegrityKey? = nil, fingerprint: Bool = false,
                        paddingByte: UInt8 = 0) throws(StunEncodingError) -> [UInt8] {
        let count = attributes.count + (key == nil ? 0 : 1) + (fingerprint ? 1 : 0)
        guard count <= Self.maximumAttributeCount else { throw .tooManyAttributes(count) }
        let trailerLength = (key == nil ? 0 : 24) + (fingerprint ? 8 : 0)
        var bytes: [UInt8] = []
        bytes.appendUInt16(StunMessageType.encode(method: method, messageClass: messageClass))
        bytes.appendUInt16(0)
        bytes.appendUInt32(Self.magicCookie)
        bytes += transactionID.bytes
        for attribute in attributes {
            let value = try attribute.encodedValue(transactionID: transactionID)
            guard value.count <= 0xFFFF else { throw .attributeTooLong(attribute.type, value.count) }
            bytes.appendUInt16(attribute.type.rawValue)
            bytes.appendUInt16(UInt16(value.count))
            bytes += value
            bytes += repeatElement(paddingByte, count: paddingLength(value.count))
            let bodyLength = bytes.count - Self.headerLength + trailerLength
            guard bodyLength <= 0xFFFF else { throw .messageTooLarge(bodyLength) }
        }
        if let key {
            bytes.setUInt16(UInt16(bytes.count - Self.headerLength + 24), at: 2)
            let code = key.authenticationCode(for: bytes)
            bytes.appendUInt16(StunAttributeType.messageIntegrity.rawValue)
            bytes.appendUInt16(UInt16(code.count))
            bytes += code
        }
        if fingerprint {
            bytes.setUInt16(UInt16(bytes.count - Self.headerLength + 8), at: 2)
            let value = Fingerprint.value(of: bytes)
            bytes.appendUInt16(StunAttributeType.fingerprint.rawValue)
            bytes.appendUInt16(4)
            bytes.appendUInt32(value)
        }
        bytes.setUInt16(UInt16(bytes.count - Self.headerLength), at: 2)
        return bytes
    }

    /// Decodes one whole STUN message: `bytes` must hold exactly the header and the length
    /// it declares (a UDP datagram, or a frame cut by `StreamFramer`).
    ///
    /// Checks FINGERPRINT when present (a mismatch throws) and keeps MESSAGE-INTEGRITY for
    /// `verifyIntegrity(key:)`. Attributes after MESSAGE-INTEGRITY other than
    /// MESSAGE-INTEGRITY-SHA256 and FINGERPRINT are ignored (RFC 8489 §14.5); anything after
    /// FINGERPRINT throws. Unknown attribute types are kept as `.unknown`.
    ///
    /// - Throws: `StunDecodingError` for anything malformed; never traps.
    public init(decoding input: some Collection<UInt8>) throws(StunDecodingError) {
        let count = input.count
        guard count >= Self.headerLength else { throw .truncatedHeader(byteCount: count) }
        guard count <= Self.headerLength + 0xFFFF else { throw .messageTooLarge(byteCount: count) }
        let bytes = Array(input)
        guard bytes[0] & 0xC0 == 0 else { throw .notStun(firstByte: bytes[0]) }
        let cookie = bytes.uint32(at: 4)
        guard cookie == Self.magicCookie else { throw .badMagicCookie(cookie) }
        let length = Int(bytes.uint16(at: 2))
        guard length % 4 == 0 else { throw .lengthNotMultipleOfFour(length) }
        guard length == count - Self.headerLength else {
            throw .lengthMismatch(declared: length, available: count - Self.headerLength)
        }
        let (method, messageClass) = StunMessageType.decode(bytes.uint16(at: 0))
        self.init(method: method, class: messageClass, transactionID: TransactionID(unchecked: Array(bytes[8..<20])))

        var offset = Self.headerLength
        var attributeCount = 0
        while offset < count {
            // The body length is a multiple of four and every step below advances by one,
            // so at least four bytes remain here: the type and length can be read.
            let remaining = count - offset - 4
            let type = StunAttributeType(rawValue: bytes.uint16(at: offset))
            let valueLength = Int(bytes.uint16(at: offset + 2))
            let paddedLength = valueLength + paddingLength(valueLength)
            guard paddedLength <= remaining else {
                throw .truncatedAttribute(type, declaredLength: valueLength, remaining: remaining)
            }
            attributeCount += 1
            guard attributeCount <= Self.maximumAttributeCount else {
                throw .tooManyAttributes(limit: Self.maximumAttributeCount)
            }
            guard !hadFingerprint else { throw .attributeAfterFingerprint(type) }
            let value = Array(bytes[(offset + 4)..<(offset + 4 + valueLength)])
            let end = offset + 4 + paddedLength
            switch type {
            case .fingerprint:
                guard valueLength == 4 else { throw .badAttributeLength(type, valueLength) }
                let expected = Fingerprint.value(of: Self.prefix(bytes, upTo: offset, lengthEndingAt: end))
                let received = value.uint32(at: 0)
                guard expected == received else { throw .fingerprintMismatch(expected: expected, received: received) }
                hadFingerprint = true
            case _ where receivedIntegrity != nil && type != .messageIntegritySHA256:
                break
            case .messageIntegrity:
                guard valueLength == 20 else { throw .badAttributeLength(type, valueLength) }
                receivedIntegrity = ReceivedIntegrity(
                    code: value, coveredBytes: Self.prefix(bytes, upTo: offset, lengthEndingAt: end))
            default:
                attributes.append(try StunAttribute(type: type, value: value, transactionID: transactionID))
            }
            offset = end
        }
    }

    /// `bytes` before `offset`, with the header's length field set as if the message ended
    /// at `end`: what MESSAGE-INTEGRITY and FINGERPRINT are computed over.
    private static func prefix(_ bytes: [UInt8], upTo offset: Int, lengthEndingAt end: Int) -> [UInt8] {
        var prefix = Array(bytes[..<offset])
        prefix.setUInt16(UInt16(truncatingIfNeeded: end - headerLength), at: 2)
        return prefix
    }
}
