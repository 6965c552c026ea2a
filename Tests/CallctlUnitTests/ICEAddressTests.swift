import Testing
import ICE

@Suite("ICE: addresses")
struct ICEAddressTests {
    @Test("XOR addresses match RFC 5769's bytes and round trip for random IDs")
    func xorAddresses() throws {
        let v4 = StunAddress(ip: IPAddress("192.0.2.1")!, port: 32853)
        let v6 = StunAddress(ip: IPAddress("2001:db8:1234:5678:11:2233:4455:6677")!, port: 32853)
        let bytes = try StunMessage(method: .binding, class: .successResponse, transactionID: RFC5769.transactionID,
                                    attributes: [.xorMappedAddress(v4), .xorMappedAddress(v6)]).encoded()
        #expect(Array(bytes[20...]) == RFC5769.bytes("""
            00 20 00 08 00 01 a1 47 e1 12 a6 43
            00 20 00 14 00 02 a1 47 01 13 a9 fa a5 d3 f1 79 bc 25 f4 b5 be d2 b9 d9
            """))
        var generator = FuzzGenerator(seed: 1)
        for _ in 0..<200 {
            let id = TransactionID.random(using: &generator)
            let ipv4 = IPAddress(bytes: (0..<4).map { _ in UInt8.random(in: 0...255, using: &generator) })!
            let ipv6 = IPAddress(bytes: (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) })!
            let port = UInt16.random(in: 0...UInt16.max, using: &generator)
            let sent: [StunAttribute] = [.xorPeerAddress(StunAddress(ip: ipv4, port: port)),
                                         .xorRelayedAddress(StunAddress(ip: ipv6, port: port))]
            let message = StunMessage(method: .data, class: .indication, transactionID: id, attributes: sent)
            #expect(try StunMessage(decoding: message.encoded()).attributes == sent)
        }
    }

    @Test("IP addresses parse and print in canonical form", arguments: [
        ("192.0.2.1", "192.0.2.1"),
        ("0.0.0.0", "0.0.0.0"),
        ("2001:DB8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("2001:db8::", "2001:db8::"),
        ("::", "::"),
        ("::1", "::1"),
        ("1:0:2:0:3:0:4:0", "1:0:2:0:3:0:4:0"),
        ("2001:0db8:0000:0000:0000:ff00:0042:8329", "2001:db8::ff00:42:8329"),
        ("::ffff:192.0.2.9", "::ffff:192.0.2.9"),
        ("64:ff9b::198.51.100.1", "64:ff9b::c633:6401"),
    ])
    func ipText(input: String, canonical: String) throws {
        #expect(try #require(IPAddress(input)).description == canonical)
    }

    @Test("malformed IP text is refused", arguments: [
        "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1..2.3", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9",
        "1::2::3", ":::", "12345::", "fe80::1%eth0", "[::1]", "::g", "1.2.3.4::", " 1.2.3.4",
    ])
    func badIPText(input: String) {
        #expect(IPAddress(input) == nil)
    }
}
