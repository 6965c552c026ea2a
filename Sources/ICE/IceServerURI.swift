/// A STUN or TURN server URI: `stun:`/`stuns:` (RFC 7064) or `turn:`/`turns:` (RFC 7065),
/// with the defaults filled in.
///
///     stun:stun.example.org            → UDP to port 3478
///     turns:turn.example.org           → TLS over TCP to port 5349
///     turn:[2001:db8::1]:3479?transport=tcp
///
/// `?transport=` is defined for TURN only; it is accepted for STUN too, since a STUN
/// server can be asked over TCP just the same. `stuns:` and `turns:` mean TLS over TCP;
/// with `transport=udp` they would mean DTLS (RFC 7350), which is refused as unsupported.
public struct IceServerURI: Hashable, Sendable, CustomStringConvertible {
    /// The URI scheme.
    public enum Scheme: String, Hashable, Sendable, CaseIterable {
        /// STUN over UDP or TCP.
        case stun
        /// STUN over TLS.
        case stuns
        /// TURN over UDP or TCP.
        case turn
        /// TURN over TLS.
        case turns

        /// Whether the scheme asks for TLS.
        public var isSecure: Bool { self == .stuns || self == .turns }
        /// Whether the server is a TURN server (which is also a STUN server).
        public var isTURN: Bool { self == .turn || self == .turns }
        /// The port when the URI names none: 3478, or 5349 for TLS (RFC 8489 §18.6).
        public var defaultPort: UInt16 { isSecure ? 5349 : 3478 }
    }

    /// How to reach the server.
    public enum Transport: String, Hashable, Sendable {
        /// Datagrams.
        case udp
        /// A TCP stream.
        case tcp
        /// TLS over a TCP stream.
        case tls
    }

    /// The scheme.
    public let scheme: Scheme
    /// A host name, or an IP address as text (an IPv6 address without its brackets).
    public let host: String
    /// The port, given or defaulted.
    public let port: UInt16
    /// The transport, given or defaulted.
    public let transport: Transport

    /// The host as an IP address, when it is one rather than a name.
    public var ipAddress: IPAddress? { IPAddress(host) }

    /// Parses `text`.
    /// - Throws: `IceServerURIError` with a message saying what is wrong and what to write.
    public init(parsing text: String) throws(IceServerURIError) {
        guard let colon = text.firstIndex(of: ":") else { throw .missingScheme(text) }
        let schemeText = text[..<colon].lowercased()
        guard let scheme = Scheme(rawValue: schemeText) else { throw .unknownScheme(String(text[..<colon])) }
        var rest = text[text.index(after: colon)...]
        guard !rest.hasPrefix("//") else { throw .hasAuthority(scheme) }
        var transportText: Substring? = nil
        if let question = rest.firstIndex(of: "?") {
            let query = rest[rest.index(after: question)...]
            let parts = query.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0].lowercased() == "transport" else {
                throw .unknownQuery(scheme, String(query))
            }
            transportText = parts[1]
            rest = rest[..<question]
        }
        let (host, portText) = try Self.splitHostPort(rest, scheme: scheme)
        self.scheme = scheme
        self.host = host
        self.port = try Self.port(portText, scheme: scheme)
        self.transport = try Self.transport(transportText, scheme: scheme)
    }

    /// The URI written canonically, with its port and, when not the default, its transport.
    public var description: String {
        let hostText = host.contains(":") ? "[\(host)]" : host
        let defaultTransport: Transport = scheme.isSecure ? .tls : .udp
        let query = transport == defaultTransport ? "" : "?transport=tcp"
        return "\(scheme.rawValue):\(hostText):\(port)\(query)"
    }

    /// Cuts `host[:port]` or `[v6][:port]`, checking the host.
    private static func splitHostPort(_ text: Substring, scheme: Scheme) throws(IceServerURIError)
        -> (host: String, port: Substring?) {
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw .invalidHost(scheme, String(text)) }
            let inside = text[text.index(after: text.startIndex)..<close]
            guard let address = IPAddress(inside), address.family == .ipv6 else {
                throw .invalidHost(scheme, String(text[...close]))
            }
            let after = text[text.index(after: close)...]
            guard after.isEmpty || after.hasPrefix(":") else { throw .invalidHost(scheme, String(text)) }
            return (String(inside), after.isEmpty ? nil : after.dropFirst())
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { throw .unbracketedIPv6(scheme, String(text)) }
        let host = parts[0]
        guard !host.isEmpty else { throw .missingHost(scheme) }
        guard isHostName(host) || IPAddress(host)?.family == .ipv4 else { throw .invalidHost(scheme, String(host)) }
        return (String(host), parts.count == 2 ? parts[1] : nil)
    }

    /// A DNS name: dot-separated labels of 1–63 letters, digits, `-` or `_`, at most 253
    /// characters, not all labels numeric (that would be a malformed IPv4 address).
    private static func isHostName(_ host: Substring) -> Bool {
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        guard host.count <= 253,
              labels.allSatisfy({ label in
                  (1...63).contains(label.count)
                      && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
              })
        else { return false }
        return !labels.allSatisfy { $0.allSatisfy(\.isNumber) }
    }

    private static func port(_ text: Substring?, scheme: Scheme) throws(IceServerURIError) -> UInt16 {
        guard let text else { return scheme.defaultPort }
        guard (1...5).contains(text.count), text.allSatisfy({ $0.isASCII && $0.isNumber }),
              let port = UInt16(text), port > 0 else { throw .invalidPort(scheme, String(text)) }
        return port
    }

    private static func transport(_ text: Substring?, scheme: Scheme) throws(IceServerURIError) -> Transport {
        switch text?.lowercased() {
        case nil: scheme.isSecure ? .tls : .udp
        case "tcp": scheme.isSecure ? .tls : .tcp
        case "udp" where scheme.isSecure: throw .dtlsUnsupported(scheme)
        case "udp": .udp
        case let other?: throw .unknownTransport(scheme, other)
        }
    }
}

/// Why a string is not a usable STUN or TURN URI. Each description says what to write.
public enum IceServerURIError: Error, Hashable, Sendable, CustomStringConvertible {
    /// No `scheme:` at all.
    case missingScheme(String)
    /// A scheme other than stun, stuns, turn, turns.
    case unknownScheme(String)
    /// `//` after the scheme, as in URLs; these URIs have none.
    case hasAuthority(IceServerURI.Scheme)
    /// Nothing where the host should be.
    case missingHost(IceServerURI.Scheme)
    /// A host that is neither a DNS name, an IPv4 address nor a bracketed IPv6 address.
    case invalidHost(IceServerURI.Scheme, String)
    /// An IPv6 address without brackets, so its colons cannot be told from the port's.
    case unbracketedIPv6(IceServerURI.Scheme, String)
    /// A port that is not a number from 1 to 65535.
    case invalidPort(IceServerURI.Scheme, String)
    /// A transport other than udp or tcp.
    case unknownTransport(IceServerURI.Scheme, String)
    /// `transport=udp` on stuns/turns, which would mean DTLS.
    case dtlsUnsupported(IceServerURI.Scheme)
    /// A query other than `transport=...`.
    case unknownQuery(IceServerURI.Scheme, String)

    /// What is wrong, and what to write instead.
    public var description: String {
        switch self {
        case .missingScheme(let text):
            "'\(text)' has no scheme; write stun:, stuns:, turn: or turns: before the host"
        case .unknownScheme(let scheme):
            "unknown scheme '\(scheme)'; use stun, stuns, turn or turns"
        case .hasAuthority(let scheme):
            "\(scheme.rawValue) URI has '//' after the scheme; write \(scheme.rawValue):host:port"
        case .missingHost(let scheme):
            "\(scheme.rawValue) URI has no host; write \(scheme.rawValue):host:port"
        case .invalidHost(let scheme, let host):
            "\(scheme.rawValue) URI has an invalid host '\(host)'; use a DNS name, an IPv4 address or [IPv6]"
        case .unbracketedIPv6(let scheme, let text):
            "\(scheme.rawValue) URI '\(text)' has too many colons; put an IPv6 address in brackets: [2001:db8::1]:3478"
        case .invalidPort(let scheme, let port):
            "\(scheme.rawValue) URI has an invalid port '\(port)'; use a number from 1 to 65535"
        case .unknownTransport(let scheme, let transport):
            "\(scheme.rawValue) URI has an unknown transport '\(transport)'; use udp or tcp"
        case .dtlsUnsupported(let scheme):
            "\(scheme.rawValue) URI with transport=udp means DTLS, which is not supported; use transport=tcp or leave it out"
        case .unknownQuery(let scheme, let query):
            "\(scheme.rawValue) URI has an unknown query '\(query)'; only transport=udp or transport=tcp is allowed"
        }
    }
}
