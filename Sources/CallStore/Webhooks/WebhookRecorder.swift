import Foundation
import Postgres

/// Writes webhook events into `webhook_events`, one row per URL that wants each, inside the
/// caller's transaction (the one that decided them), and notifies the daemons' webhook relays
/// on commit.
///
/// **Bounded**: a URL holds at most ``maximumPending`` undelivered events (about: concurrent
/// transactions may each add their own before they see the others'). Beyond it a new event
/// for that URL is not written: it is counted in `webhook_targets.dropped` (shown by
/// `outbox status`) and reported to ``observer`` (the daemon logs it and counts it in
/// `/metrics`). Older events are never discarded to make room.
public struct WebhookRecorder: Sendable {
    /// The relays' `LISTEN` channel.
    public static let notifyChannel = "callctl_webhooks"

    /// What a record call came to, per URL (reported before the transaction commits).
    public struct Outcome: Sendable, Equatable {
        /// The URL (as configured).
        public let url: String
        /// Events written for it.
        public let stored: Int
        /// Events not written because its backlog was full.
        public let dropped: Int
    }

    /// Where the events go.
    public let routes: [WebhookRoute]
    /// The most undelivered events a URL may hold.
    public let maximumPending: Int
    private let observer: @Sendable ([Outcome]) -> Void

    /// Creates a recorder; `observer` hears every record call's outcome.
    public init(routes: [WebhookRoute], maximumPending: Int, observer: @escaping @Sendable ([Outcome]) -> Void = { _ in }) {
        self.routes = routes
        self.maximumPending = maximumPending
        self.observer = observer
    }

    /// Whether any URL wants `kind` events of `appID` (so the caller can skip deciding them).
    public func wants(_ kind: WebhookEventKind, appID: String) -> Bool {
        routes.contains { $0.wants(kind, appID: appID) }
    }

    static let insert = """
        WITH input AS (
            SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
                WITH ORDINALITY AS e(url, app_id, kind, channel, user_id, event, data, socket_id, ord)
        ), room AS (
            SELECT u.url, $9::bigint - (SELECT count(*) FROM (SELECT 1 FROM webhook_events w WHERE w.url = u.url LIMIT $9) x) AS free
            FROM (SELECT DISTINCT url FROM input) u
        ), ranked AS (
            SELECT e.*, row_number() OVER (PARTITION BY e.url ORDER BY e.ord) AS rank FROM input e
        ), stored AS (
            INSERT INTO webhook_events (url, app_id, kind, channel, user_id, event, data, socket_id)
            SELECT r.url, r.app_id, r.kind, r.channel, r.user_id, r.event, r.data, r.socket_id
            FROM ranked r JOIN room USING (url) WHERE r.rank <= room.free ORDER BY r.ord
            RETURNING url
        )
        SELECT url, count(*) AS stored FROM stored GROUP BY url
        """

    static let countDrops = """
        INSERT INTO webhook_targets (url, dropped, last_dropped_at)
        SELECT url, dropped, now() FROM unnest($1::text[], $2::bigint[]) AS d(url, dropped)
        ON CONFLICT (url) DO UPDATE SET dropped = webhook_targets.dropped + EXCLUDED.dropped, last_dropped_at = now()
        """

    /// Writes `events` for every URL that wants them, in order, on `connection` (inside the
    /// caller's transaction); nothing when no URL wants any.
    public func record(_ events: [WebhookEvent], on connection: PGConnection) throws {
        var rows: [(url: String, event: WebhookEvent)] = []
        for event in events {
            for route in routes where route.wants(event.kind, appID: event.appID) { rows.append((route.url, event)) }
        }
        guard !rows.isEmpty else { return }
        let stored = try connection.query(
            Self.insert, PGTextArray(strings: rows.map(\.url)), PGTextArray(strings: rows.map(\.event.appID)),
            PGTextArray(strings: rows.map(\.event.kind.rawValue)), PGTextArray(strings: rows.map(\.event.channel)),
            PGTextArray(rows.map(\.event.userID)), PGTextArray(rows.map(\.event.event)), PGTextArray(rows.map(\.event.data)),
            PGTextArray(rows.map(\.event.socketID)), Int64(maximumPending)
        ).rows.reduce(into: [String: Int]()) { $0[try $1.decode(String.self, "url")] = Int(try $1.decode(Int64.self, "stored")) }
        var wanted: [String: Int] = [:]
        for row in rows { wanted[row.url, default: 0] += 1 }
        let outcomes = wanted.keys.sorted().map { url in
            Outcome(url: url, stored: stored[url] ?? 0, dropped: wanted[url, default: 0] - (stored[url] ?? 0))
        }
        let drops = outcomes.filter { $0.dropped > 0 }
        if !drops.isEmpty {
            try connection.query(Self.countDrops, PGTextArray(strings: drops.map(\.url)),
                                 PGInt64Array(ids: drops.map { Int64($0.dropped) }))
        }
        if outcomes.contains(where: { $0.stored > 0 }) {
            try connection.query("SELECT pg_notify($1, '')", Self.notifyChannel)
        }
        observer(outcomes)
    }
}
