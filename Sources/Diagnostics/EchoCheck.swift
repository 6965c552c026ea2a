/// The checks of `diagnose echo`, in the order they run: each layer needs the ones before it.
public enum EchoCheckName: String, Sendable, CaseIterable {
    /// The WebSocket server's host name resolves.
    case dns
    /// A TCP connection to host:port opens.
    case tcp
    /// The TLS handshake succeeds and the certificate is valid for a while (wss only).
    case tls
    /// The server answers the WebSocket upgrade with 101.
    case websocketUpgrade = "websocket_upgrade"
    /// The server speaks Pusher: a protocol message arrives after the upgrade.
    case connectionEstablished = "connection_established"
    /// The server knows the app key (no `pusher:error` 4001).
    case appKey = "app_key"
    /// The app's auth endpoint signs the channel for the token.
    case authEndpoint = "auth_endpoint"
    /// The returned signature verifies with the configured app secret.
    case authSignature = "auth_signature"
    /// The WebSocket server accepts the subscription.
    case subscription
    /// An event triggered through the HTTP API arrives on the subscribed socket.
    case eventDelivery = "event_delivery"
    /// The auth endpoint refuses a request without a token.
    case refusesNoToken = "refuses_no_token"
    /// The auth endpoint refuses another user's channel.
    case refusesOtherUser = "refuses_other_user"
    /// The auth endpoint refuses a user of another tenant.
    case refusesOtherTenant = "refuses_other_tenant"
    /// A presence channel lists the connection's member.
    case presence
    /// The external Pusher/Reverb server of `CALLCTL_PUSHER_URL` accepts a signed HTTP API
    /// request. It stands alone: it runs whatever the checks before it found.
    case externalServer = "external_server"
}

/// How one check ended.
public enum EchoCheckStatus: String, Sendable, Equatable {
    /// It works.
    case pass
    /// It works but needs attention soon (a certificate close to its expiry).
    case warn
    /// It is broken; the check's verdict says why and what to do.
    case fail
    /// Not run: an earlier layer failed, or the check lacks what it needs.
    case skip
}

/// The names of one diagnosis's checks, in the order they run (``EchoCheckName``, ``PeerJSCheckName``).
public protocol DiagnosisCheckName: RawRepresentable, CaseIterable, Sendable, Equatable where RawValue == String {}

extension EchoCheckName: DiagnosisCheckName {}

/// One check's result.
public struct DiagnosisCheck<Name: DiagnosisCheckName>: Sendable, Equatable {
    /// Which check.
    public let name: Name
    /// How it ended.
    public let status: EchoCheckStatus
    /// How long it took.
    public let duration: Duration
    /// What was observed, e.g. `127.0.0.1:8080 accepted in 0.3 ms`.
    public let detail: String
    /// For a failure or warning: the cause and the fix.
    public let verdict: String?
    /// True when a failure is a security hole (something was granted that must be refused).
    public let security: Bool

    /// Creates a result.
    public init(name: Name, status: EchoCheckStatus, duration: Duration, detail: String,
                verdict: String? = nil, security: Bool = false) {
        self.name = name
        self.status = status
        self.duration = duration
        self.detail = detail
        self.verdict = verdict
        self.security = security
    }
}

/// All checks of one run, in order.
public struct DiagnosisReport<Name: DiagnosisCheckName>: Sendable, Equatable {
    /// Every check, including the skipped ones.
    public let checks: [DiagnosisCheck<Name>]

    /// Creates a report.
    public init(checks: [DiagnosisCheck<Name>]) {
        self.checks = checks
    }

    /// `fail` when a check failed, else `warn` when one warned, else `pass`.
    public var status: EchoCheckStatus {
        if checks.contains(where: { $0.status == .fail }) { return .fail }
        return checks.contains(where: { $0.status == .warn }) ? .warn : .pass
    }

    /// The first failed check, if any.
    public var firstFailure: DiagnosisCheck<Name>? { checks.first { $0.status == .fail } }
}

/// A check of `diagnose echo`.
public typealias EchoCheck = DiagnosisCheck<EchoCheckName>
/// A run of `diagnose echo`.
public typealias EchoReport = DiagnosisReport<EchoCheckName>
