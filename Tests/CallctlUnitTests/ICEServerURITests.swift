import Testing
import ICE

@Suite("ICE: STUN and TURN server URIs")
struct ICEServerURITests {
    static let good: [(text: String, scheme: IceServerURI.Scheme, host: String, port: UInt16, transport: IceServerURI.Transport)] = [
        ("stun:stun.example.org", .stun, "stun.example.org", 3478, .udp),
        ("stun:stun.example.org:19302", .stun, "stun.example.org", 19302, .udp),
        ("stuns:stun.example.org", .stuns, "stun.example.org", 5349, .tls),
        ("turn:turn.example.org", .turn, "turn.example.org", 3478, .udp),
        ("turn:turn.example.org?transport=udp", .turn, "turn.example.org", 3478, .udp),
        ("turn:turn.example.org:3479?transport=tcp", .turn, "turn.example.org", 3479, .tcp),
        ("turns:turn.example.org", .turns, "turn.example.org", 5349, .tls),
        ("turns:turn.example.org:443?transport=tcp", .turns, "turn.example.org", 443, .tls),
        ("TURN:Turn.Example.org?Transport=TCP", .turn, "Turn.Example.org", 3478, .tcp),
        ("turn:192.0.2.10:3478", .turn, "192.0.2.10", 3478, .udp),
        ("turn:[2001:db8::1]", .turn, "2001:db8::1", 3478, .udp),
        ("turns:[2001:db8::1]:5350?transport=tcp", .turns, "2001:db8::1", 5350, .tls),
        ("stun:localhost:1", .stun, "localhost", 1, .udp),
        ("stun:stun.l.google.com:19302?transport=tcp", .stun, "stun.l.google.com", 19302, .tcp),
        ("turn:coturn_1.internal:65535", .turn, "coturn_1.internal", 65535, .udp),
    ]

    @Test("good URIs parse with defaults filled in", arguments: good)
    func parses(text: String, scheme: IceServerURI.Scheme, host: String, port: UInt16, transport: IceServerURI.Transport) throws {
        let uri = try IceServerURI(parsing: text)
        #expect(uri.scheme == scheme)
        #expect(uri.host == host)
        #expect(uri.port == port)
        #expect(uri.transport == transport)
        // The canonical text parses back to the same URI.
        #expect(try IceServerURI(parsing: uri.description) == uri)
    }

    @Test("canonical text names the port and only a non-default transport")
    func canonical() throws {
        #expect(try IceServerURI(parsing: "turn:[2001:db8::1]?transport=tcp").description == "turn:[2001:db8::1]:3478?transport=tcp")
        #expect(try IceServerURI(parsing: "turns:t.example").description == "turns:t.example:5349")
        #expect(try IceServerURI(parsing: "turn:192.0.2.1").ipAddress == IPAddress("192.0.2.1"))
        #expect(try IceServerURI(parsing: "turn:t.example").ipAddress == nil)
        #expect(IceServerURI.Scheme.turns.isTURN && IceServerURI.Scheme.turns.isSecure)
        #expect(!IceServerURI.Scheme.stun.isTURN && !IceServerURI.Scheme.stun.isSecure)
    }

    static let bad: [(text: String, error: IceServerURIError, message: String)] = [
        ("turn.example.org", .missingScheme("turn.example.org"),
         "'turn.example.org' has no scheme; write stun:, stuns:, turn: or turns: before the host"),
        ("http://turn.example.org", .unknownScheme("http"), "unknown scheme 'http'; use stun, stuns, turn or turns"),
        ("turn://turn.example.org:3478", .hasAuthority(.turn), "turn URI has '//' after the scheme; write turn:host:port"),
        ("turn:", .missingHost(.turn), "turn URI has no host; write turn:host:port"),
        ("stun::3478", .missingHost(.stun), "stun URI has no host; write stun:host:port"),
        ("turn:turn.example.org?transport=sctp", .unknownTransport(.turn, "sctp"),
         "turn URI has an unknown transport 'sctp'; use udp or tcp"),
        ("stun:s.example?transport=", .unknownTransport(.stun, ""), "stun URI has an unknown transport ''; use udp or tcp"),
        ("turns:t.example?transport=udp", .dtlsUnsupported(.turns),
         "turns URI with transport=udp means DTLS, which is not supported; use transport=tcp or leave it out"),
        ("turn:t.example?proto=udp", .unknownQuery(.turn, "proto=udp"),
         "turn URI has an unknown query 'proto=udp'; only transport=udp or transport=tcp is allowed"),
        ("turn:t.example?", .unknownQuery(.turn, ""), "turn URI has an unknown query ''; only transport=udp or transport=tcp is allowed"),
        ("turn:t.example:0", .invalidPort(.turn, "0"), "turn URI has an invalid port '0'; use a number from 1 to 65535"),
        ("turn:t.example:65536", .invalidPort(.turn, "65536"), "turn URI has an invalid port '65536'; use a number from 1 to 65535"),
        ("turn:t.example:", .invalidPort(.turn, ""), "turn URI has an invalid port ''; use a number from 1 to 65535"),
        ("turn:t.example:34x", .invalidPort(.turn, "34x"), "turn URI has an invalid port '34x'; use a number from 1 to 65535"),
        ("turn:t.example:+34", .invalidPort(.turn, "+34"), "turn URI has an invalid port '+34'; use a number from 1 to 65535"),
        ("turn:2001:db8::1", .unbracketedIPv6(.turn, "2001:db8::1"),
         "turn URI '2001:db8::1' has too many colons; put an IPv6 address in brackets: [2001:db8::1]:3478"),
        ("turn:[2001:db8::zz]", .invalidHost(.turn, "[2001:db8::zz]"),
         "turn URI has an invalid host '[2001:db8::zz]'; use a DNS name, an IPv4 address or [IPv6]"),
        ("turn:[192.0.2.1]", .invalidHost(.turn, "[192.0.2.1]"),
         "turn URI has an invalid host '[192.0.2.1]'; use a DNS name, an IPv4 address or [IPv6]"),
        ("turn:[::1", .invalidHost(.turn, "[::1"), "turn URI has an invalid host '[::1'; use a DNS name, an IPv4 address or [IPv6]"),
        ("turn:[::1]x", .invalidHost(.turn, "[::1]x"), "turn URI has an invalid host '[::1]x'; use a DNS name, an IPv4 address or [IPv6]"),
        ("turn:user@t.example", .invalidHost(.turn, "user@t.example"),
         "turn URI has an invalid host 'user@t.example'; use a DNS name, an IPv4 address or [IPv6]"),
        ("turn:t..example", .invalidHost(.turn, "t..example"),
         "turn URI has an invalid host 't..example'; use a DNS name, an IPv4 address or [IPv6]"),
        ("turn:256.1.1.1", .invalidHost(.turn, "256.1.1.1"),
         "turn URI has an invalid host '256.1.1.1'; use a DNS name, an IPv4 address or [IPv6]"),
        ("turn:1.2.3", .invalidHost(.turn, "1.2.3"), "turn URI has an invalid host '1.2.3'; use a DNS name, an IPv4 address or [IPv6]"),
        ("turn: t.example", .invalidHost(.turn, " t.example"),
         "turn URI has an invalid host ' t.example'; use a DNS name, an IPv4 address or [IPv6]"),
    ]

    @Test("bad URIs are refused with a message saying what to write", arguments: bad)
    func refuses(text: String, error: IceServerURIError, message: String) {
        #expect(throws: error) { try IceServerURI(parsing: text) }
        #expect(error.description == message)
    }
}
