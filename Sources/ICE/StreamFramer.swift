/// Cuts STUN messages and ChannelData frames out of a byte stream (TCP or TLS), where they
/// arrive back to back with no datagram boundaries (RFC 8489 §6.2.2, RFC 8656 §12.5).
public enum StreamFramer {
    /// The length of the complete frame at the start of `buffer`, or `nil` if more bytes
    /// must arrive first. Reads at most the first eight bytes, so it is cheap to call each
    /// time bytes are appended; the answer is at most 20 + 65535.
    ///
    /// A STUN message takes 20 bytes plus its length field; a ChannelData frame takes 4 bytes
    /// plus its length rounded up to four, since padding is mandatory on streams.
    ///
    /// - Throws: `StunDecodingError` when the stream cannot be in sync: a first byte that
    ///   starts neither kind, a STUN length that is not a multiple of four, or a STUN magic
    ///   cookie that is wrong. The caller should close the connection.
    public static func nextFrameLength(in buffer: some Collection<UInt8>) throws(StunDecodingError) -> Int? {
        let head = Array(buffer.prefix(8))
        guard let first = head.first else { return nil }
        guard let kind = PacketKind(firstByte: first) else { throw .notStunOrChannelData(firstByte: first) }
        guard head.count >= 4 else { return nil }
        let length = Int(head.uint16(at: 2))
        let frameLength: Int
        switch kind {
        case .channelData:
            frameLength = 4 + length + paddingLength(length)
        case .stun:
            guard length % 4 == 0 else { throw .lengthNotMultipleOfFour(length) }
            if head.count == 8 {
                let cookie = head.uint32(at: 4)
                guard cookie == StunMessage.magicCookie else { throw .badMagicCookie(cookie) }
            }
            frameLength = StunMessage.headerLength + length
        }
        return buffer.count >= frameLength ? frameLength : nil
    }
}
