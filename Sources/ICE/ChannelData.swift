/// A ChannelData message (RFC 8656 §12.4): application data to or from a peer bound to a
/// channel, with a 4-byte header instead of a STUN Send or Data indication.
///
///     0x4000–0x7FFF channel number (2 bytes) | data length (2 bytes) | data | padding
///
/// Channel numbers follow RFC 5766 and coturn, 0x4000–0x7FFF; RFC 8656 narrows new
/// bindings to 0x4000–0x4FFF, which this range contains.
public struct ChannelData: Hashable, Sendable {
    /// The channel numbers a binding may use.
    public static let validChannels: ClosedRange<UInt16> = 0x4000...0x7FFF

    /// The channel the data travels on.
    public let channel: UInt16
    /// The application data.
    public let data: [UInt8]

    /// A frame for `data` on `channel`.
    /// - Throws: `StunEncodingError` for a channel outside 0x4000–0x7FFF or data past 65535 bytes.
    public init(channel: UInt16, data: [UInt8]) throws(StunEncodingError) {
        guard Self.validChannels.contains(channel) else { throw .invalidChannelNumber(channel) }
        guard data.count <= 0xFFFF else { throw .channelDataTooLong(data.count) }
        self.channel = channel
        self.data = data
    }

    /// The frame as bytes. Over TCP and TLS the frame must be padded to a multiple of four
    /// bytes (RFC 8656 §12.5); over UDP padding is optional and usually left out.
    public func encoded(padded: Bool) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.appendUInt16(channel)
        bytes.appendUInt16(UInt16(truncatingIfNeeded: data.count))
        bytes += data
        if padded { bytes += repeatElement(0, count: paddingLength(data.count)) }
        return bytes
    }

    /// Decodes one frame: the 4-byte header, the data its length declares, and at most the
    /// padding to a multiple of four (present or not).
    /// - Throws: `StunDecodingError` for a bad channel number or a length that disagrees
    ///   with the bytes given; never traps.
    public init(decoding input: some Collection<UInt8>) throws(StunDecodingError) {
        let header = Array(input.prefix(4))
        guard header.count == 4 else { throw .truncatedChannelDataHeader(byteCount: header.count) }
        guard header[0] & 0xC0 == 0x40 else { throw .notChannelData(firstByte: header[0]) }
        let length = Int(header.uint16(at: 2))
        let available = input.count - 4
        guard length <= available, available <= length + paddingLength(length) else {
            throw .channelDataLengthMismatch(declared: length, available: available)
        }
        // The top bits are 01, so the channel is within 0x4000–0x7FFF.
        channel = header.uint16(at: 0)
        data = Array(input.dropFirst(4).prefix(length))
    }
}

/// What a buffer received from a TURN server holds, told by its first byte
/// (RFC 8656 §12; RFC 7983 for the wider demultiplexing picture).
public enum PacketKind: Hashable, Sendable {
    /// A STUN message: the first byte's two top bits are 00.
    case stun
    /// A ChannelData frame: the first byte's two top bits are 01.
    case channelData

    /// The kind a packet starting with `firstByte` is; `nil` for top bits 10 or 11, which
    /// are neither.
    public init?(firstByte: UInt8) {
        switch firstByte >> 6 {
        case 0b00: self = .stun
        case 0b01: self = .channelData
        default: return nil
        }
    }

    /// The kind of `packet`; `nil` when it is empty or starts with neither kind's bits.
    public init?(packet: some Collection<UInt8>) {
        guard let first = packet.first else { return nil }
        self.init(firstByte: first)
    }
}
