import Testing
import ICE

@Suite("ICE: hostile input never crashes")
struct ICEFuzzTests {
    /// Valid packets to mutate: the RFC vectors, a TURN exchange, ChannelData.
    static func seeds() throws -> [[UInt8]] {
        let key = MessageIntegrityKey.longTerm(username: "1700003600:alice", realm: "north", password: "pw")
        let peer = StunAddress(ip: IPAddress("2001:db8::7")!, port: 5000)
        let turn = try StunMessage(method: .allocate, class: .successResponse, transactionID: RFC5769.transactionID,
                                   attributes: [.xorRelayedAddress(peer), .xorMappedAddress(StunAddress(ip: IPAddress("192.0.2.1")!, port: 9)),
                                                .lifetime(600), .software("coturn"), .errorCode(.staleNonce, reason: "x"),
                                                .unknownAttributes([.realm]), .channelNumber(0x4000), .data([1, 2, 3])])
            .encoded(integrity: key, fingerprint: true)
        let channel = try ChannelData(channel: 0x4001, data: [9, 8, 7, 6, 5]).encoded(padded: true)
        return RFC5769.all + [turn, channel]
    }

    /// Runs every decoder over `bytes`; successes must hold together. Returns whether the
    /// bytes decoded as STUN, so a run can show it reached past the header checks.
    @discardableResult
    static func probe(_ bytes: [UInt8]) -> Bool {
        let message = try? StunMessage(decoding: bytes)
        if let message {
            // Whatever decodes must encode again, and decode to the same attributes.
            let again = try? StunMessage(decoding: message.encoded())
            #expect(again?.attributes == message.attributes)
            _ = message.verifyIntegrity(key: .shortTerm(password: "pw"))
        }
        if let frame = try? ChannelData(decoding: bytes) {
            #expect(ChannelData.validChannels.contains(frame.channel))
            #expect(frame.data.count <= bytes.count - 4)
        }
        if let length = try? StreamFramer.nextFrameLength(in: bytes) {
            #expect(length <= bytes.count && length <= 20 + 65535)
        }
        _ = PacketKind(packet: bytes)
        return message != nil
    }

    @Test("the kept libFuzzer inputs: fuzz/corpus/stun-message and fuzz/regressions/stun-message hold together")
    func keptInputs() throws {
        let corpus = try FuzzKeptInputs.corpus("stun-message")
        #expect(!corpus.isEmpty)
        for input in try corpus + FuzzKeptInputs.regressions("stun-message") { Self.probe(input.bytes) }
    }

    @Test("20,000 seeded mutations and truncations of valid packets")
    func mutations() throws {
        let seeds = try Self.seeds()
        var generator = FuzzGenerator(seed: 0x1CE)
        let clock = ContinuousClock()
        let start = clock.now
        var decoded = 0
        for iteration in 0..<20_000 {
            var bytes = seeds[iteration % seeds.count]
            switch iteration % 5 {
            case 0: // flip bits
                for _ in 0..<Int.random(in: 1...4, using: &generator) {
                    bytes[Int.random(in: 0..<bytes.count, using: &generator)] ^= UInt8.random(in: 1...255, using: &generator)
                }
            case 1: // truncate
                bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &generator)))
            case 2: // truncate and make the length field agree
                bytes = Self.truncated(bytes, to: Int.random(in: 4...bytes.count, using: &generator))
            case 3: // overwrite a length field somewhere with an extreme value
                let index = Int.random(in: 0..<(bytes.count - 1), using: &generator)
                let value = [UInt16.max, 0xFFFC, 0x8000, 0, 1, 3].randomElement(using: &generator)!
                bytes[index] = UInt8(value >> 8)
                bytes[index + 1] = UInt8(value & 0xFF)
            default: // a valid header over random attribute soup
                let body = (0..<(4 * Int.random(in: 0...40, using: &generator))).map { _ in UInt8.random(in: 0...255, using: &generator) }
                bytes = Array(bytes.prefix(20)) + body
                bytes[0] &= 0x3F
                bytes[2] = UInt8(body.count >> 8)
                bytes[3] = UInt8(body.count & 0xFF)
            }
            if Self.probe(bytes) { decoded += 1 }
        }
        #expect(clock.now - start < .seconds(30))
        // Both outcomes happen: mutations that still decode, and far more that are refused.
        #expect(decoded > 500 && decoded < 15_000, "\(decoded) of 20,000 decoded")
    }

    /// The first `count` bytes of `packet` (at least 4), its length field rewritten to
    /// agree: a STUN header's counts from byte 20, a ChannelData header's from byte 4.
    static func truncated(_ packet: [UInt8], to count: Int) -> [UInt8] {
        var bytes = Array(packet.prefix(count))
        let length = max(0, bytes.count - (bytes[0] & 0xC0 == 0 ? 20 : 4))
        bytes[2] = UInt8(length >> 8)
        bytes[3] = UInt8(length & 0xFF)
        return bytes
    }

    @Test("every prefix of every seed, as cut and with its length rewritten to agree")
    func prefixes() throws {
        for seed in try Self.seeds() {
            for length in 0...seed.count {
                Self.probe(Array(seed.prefix(length)))
                if length >= 4 { Self.probe(Self.truncated(seed, to: length)) }
            }
        }
    }

    @Test("random bytes of every small length")
    func randomBytes() {
        var generator = FuzzGenerator(seed: 42)
        for length in 0..<200 {
            for _ in 0..<20 {
                Self.probe((0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) })
            }
        }
    }
}
