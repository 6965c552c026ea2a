import Testing
import ICE

@Suite("ICE: ChannelData, packet kinds and stream framing")
struct ICEChannelDataTests {
    @Test("ChannelData round trips, padded and not")
    func roundTrip() throws {
        let frame = try ChannelData(channel: 0x4001, data: Array("hello".utf8))
        let plain = frame.encoded(padded: false)
        #expect(plain == [0x40, 0x01, 0x00, 0x05] + Array("hello".utf8))
        let padded = frame.encoded(padded: true)
        #expect(padded == plain + [0, 0, 0])
        #expect(try ChannelData(decoding: plain) == frame)
        #expect(try ChannelData(decoding: padded) == frame)
        for length in 0...9 {
            let data = [UInt8](repeating: 0xAB, count: length)
            let bytes = try ChannelData(channel: 0x7FFF, data: data).encoded(padded: true)
            #expect(bytes.count % 4 == 0 && bytes.count - 4 - length < 4)
            #expect(try ChannelData(decoding: bytes).data == data)
        }
        let empty = try ChannelData(channel: 0x4000, data: [])
        #expect(empty.encoded(padded: true) == [0x40, 0x00, 0x00, 0x00])
    }

    @Test("bad channels, sizes and lengths are refused")
    func refusals() throws {
        #expect(throws: StunEncodingError.invalidChannelNumber(0x3FFF)) { try ChannelData(channel: 0x3FFF, data: []) }
        #expect(throws: StunEncodingError.invalidChannelNumber(0x8000)) { try ChannelData(channel: 0x8000, data: []) }
        #expect(throws: StunEncodingError.channelDataTooLong(65536)) {
            try ChannelData(channel: 0x4000, data: [UInt8](repeating: 0, count: 65536))
        }
        #expect(throws: StunDecodingError.truncatedChannelDataHeader(byteCount: 3)) { try ChannelData(decoding: [0x40, 0, 0]) }
        #expect(throws: StunDecodingError.notChannelData(firstByte: 0x00)) { try ChannelData(decoding: [0x00, 1, 0, 0]) }
        #expect(throws: StunDecodingError.notChannelData(firstByte: 0x80)) { try ChannelData(decoding: [0x80, 1, 0, 0]) }
        // Declares 5 bytes, has 4.
        #expect(throws: StunDecodingError.channelDataLengthMismatch(declared: 5, available: 4)) {
            try ChannelData(decoding: [0x40, 0x01, 0x00, 0x05, 1, 2, 3, 4])
        }
        // Declares 5 bytes, has 5 plus 4 more: more than padding.
        #expect(throws: StunDecodingError.channelDataLengthMismatch(declared: 5, available: 9)) {
            try ChannelData(decoding: [0x40, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5, 0, 0, 0, 0])
        }
        #expect(throws: StunDecodingError.channelDataLengthMismatch(declared: 0xFFFF, available: 0)) {
            try ChannelData(decoding: [0x40, 0x01, 0xFF, 0xFF])
        }
    }

    @Test("the first byte's top two bits tell STUN from ChannelData")
    func packetKinds() {
        for byte in UInt8.min...UInt8.max {
            let expected: PacketKind? = switch byte {
            case 0x00...0x3F: .stun
            case 0x40...0x7F: .channelData
            default: nil
            }
            #expect(PacketKind(firstByte: byte) == expected)
        }
        #expect(PacketKind(packet: RFC5769.sampleRequest) == .stun)
        #expect(PacketKind(packet: [UInt8]()) == nil)
    }

    /// Three frames as they would follow each other on a TCP connection.
    static func stream() throws -> (bytes: [UInt8], lengths: [Int]) {
        let first = try StunMessage(method: .refresh, class: .request, transactionID: RFC5769.transactionID,
                                    attributes: [.lifetime(0)]).encoded(fingerprint: true)
        let second = try ChannelData(channel: 0x4002, data: Array("relayed!!".utf8)).encoded(padded: true)
        let third = RFC5769.ipv6Response
        return (first + second + third, [first.count, second.count, third.count])
    }

    /// Feeds `chunks` to a framer loop as a socket reader would, returning the frames cut.
    static func frames(from chunks: [[UInt8]]) throws -> [[UInt8]] {
        var buffer: [UInt8] = []
        var frames: [[UInt8]] = []
        for chunk in chunks {
            buffer += chunk
            while let length = try StreamFramer.nextFrameLength(in: buffer) {
                frames.append(Array(buffer.prefix(length)))
                buffer.removeFirst(length)
            }
        }
        #expect(buffer.isEmpty)
        return frames
    }

    @Test("the framer cuts coalesced input into its frames")
    func coalesced() throws {
        let (bytes, lengths) = try Self.stream()
        let frames = try Self.frames(from: [bytes])
        #expect(frames.map(\.count) == lengths)
        #expect(try StunMessage(decoding: frames[0]).method == .refresh)
        #expect(try ChannelData(decoding: frames[1]).data == Array("relayed!!".utf8))
        #expect(try StunMessage(decoding: frames[2]).xorMappedAddress?.port == 32853)
    }

    @Test("the framer waits for split input, byte by byte or in odd chunks", arguments: [1, 2, 3, 7, 19, 64])
    func split(chunkSize: Int) throws {
        let (bytes, lengths) = try Self.stream()
        let chunks = stride(from: 0, to: bytes.count, by: chunkSize).map { Array(bytes[$0..<min($0 + chunkSize, bytes.count)]) }
        #expect(try Self.frames(from: chunks).map(\.count) == lengths)
    }

    @Test("the framer answers nil until a frame is whole, and refuses a stream out of sync")
    func framerEdges() throws {
        #expect(try StreamFramer.nextFrameLength(in: [UInt8]()) == nil)
        #expect(try StreamFramer.nextFrameLength(in: [0x40, 0x00, 0x00]) == nil)
        #expect(try StreamFramer.nextFrameLength(in: [0x40, 0x00, 0x00, 0x00]) == 4)
        #expect(try StreamFramer.nextFrameLength(in: [0x40, 0x00, 0x00, 0x05, 1, 2, 3, 4, 5, 0, 0]) == nil)
        #expect(try StreamFramer.nextFrameLength(in: [0x40, 0x00, 0x00, 0x05, 1, 2, 3, 4, 5, 0, 0, 0]) == 12)
        #expect(try StreamFramer.nextFrameLength(in: [0x00, 0x01, 0xFF, 0xFC, 0x21, 0x12, 0xA4, 0x42]) == nil)
        #expect(try StreamFramer.nextFrameLength(in: RFC5769.sampleRequest + [0x40]) == RFC5769.sampleRequest.count)
        #expect(throws: StunDecodingError.notStunOrChannelData(firstByte: 0x80)) {
            try StreamFramer.nextFrameLength(in: [0x80, 0, 0, 0])
        }
        #expect(throws: StunDecodingError.lengthNotMultipleOfFour(6)) {
            try StreamFramer.nextFrameLength(in: [0x00, 0x01, 0x00, 0x06])
        }
        #expect(throws: StunDecodingError.badMagicCookie(0x0102_0304)) {
            try StreamFramer.nextFrameLength(in: [0x00, 0x01, 0x00, 0x00, 1, 2, 3, 4])
        }
    }
}
