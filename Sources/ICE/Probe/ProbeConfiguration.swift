/// What every probe shares: how long it may take and how it trusts TLS servers.
public struct ProbeConfiguration: Hashable, Sendable {
    /// How `stuns:` and `turns:` servers are trusted.
    public enum TLSTrust: Hashable, Sendable {
        /// The system's CA certificates, with the host name (or IP address) checked.
        case system
        /// The system's CA certificates plus the PEM certificates in a file (a private CA
        /// or a self-signed server certificate), with the host name checked.
        case additionalCertificates(path: String)
        /// No verification at all: the connection is encrypted but the server unproven.
        case insecure
    }

    /// The whole probe's time limit: every step, retransmission and read ends by then.
    public var timeout: Duration
    /// How TLS servers are trusted.
    public var tlsTrust: TLSTrust

    /// A configuration; the defaults are a 5-second limit and the system's CAs.
    public init(timeout: Duration = .seconds(5), tlsTrust: TLSTrust = .system) {
        self.timeout = timeout
        self.tlsTrust = tlsTrust
    }
}

/// Long-term TURN credentials: a username and password (static, or TURN REST ones made by
/// `TurnRESTCredentials`). The password never appears in any description.
public struct TurnLogin: Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The username sent in USERNAME.
    public let username: String
    /// The password, used only to derive the MESSAGE-INTEGRITY key.
    let password: String

    /// Credentials from a username and password.
    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    /// Credentials from TURN REST ones.
    public init(_ credentials: TurnRESTCredentials) {
        self.init(username: credentials.username, password: credentials.password)
    }

    /// The long-term key for the server's realm.
    func key(realm: String) -> MessageIntegrityKey {
        .longTerm(username: username, realm: realm, password: password)
    }

    /// `user alice` — never the password.
    public var description: String { "user \(username)" }

    /// Same as `description`, so debug printing cannot show the password either.
    public var debugDescription: String { description }
}
