import CallStore

/// The Pusher webhooks a daemon records and delivers (`CALLCTL_WEBHOOK_URLS`; docs/design.md,
/// "Webhooks"). Every daemon sharing a database should have the same settings: each records
/// the events its own connections decide, and any delivers any URL's backlog it is configured for.
public struct WebhookSettings: Sendable, Equatable {
    /// The receiving URLs and what each wants.
    public var routes: [WebhookRoute]
    /// The most undelivered events one URL may hold; more are dropped, counted and logged.
    public var maximumPending: Int
    /// The most events in one POST.
    public var batchLimit: Int
    /// How long the relay waits after being woken, so events decided together go in one POST.
    public var linger: Duration
    /// The limit on one POST, connection included.
    public var timeout: Duration
    /// The longest the relay waits between two looks at the backlog without a `NOTIFY` (and
    /// how late, at most, a URL's backoff ends).
    public var pollInterval: Duration

    /// Creates the settings.
    public init(routes: [WebhookRoute], maximumPending: Int = 10_000, batchLimit: Int = 50, linger: Duration = .milliseconds(100),
                timeout: Duration = .seconds(5), pollInterval: Duration = .seconds(1)) {
        self.routes = routes
        self.maximumPending = maximumPending
        self.batchLimit = batchLimit
        self.linger = linger
        self.timeout = timeout
        self.pollInterval = pollInterval
    }
}
