import CallDomain
import Foundation
import Postgres

/// A presence member as the hub stores it: the user id and the `user_info` JSON text.
public struct PresenceRow: Sendable, Equatable {
    /// The member's user id.
    public let userID: String
    /// The member's `user_info` as JSON text; nil when the member has none.
    public let userInfo: String?
    /// When the member's first connection joined the channel (the database's clock); nil for
    /// a member not yet stored.
    public let joinedAt: Date?

    /// Creates a row.
    public init(userID: String, userInfo: String?, joinedAt: Date? = nil) {
        self.userID = userID
        self.userInfo = userInfo
        self.joinedAt = joinedAt
    }
}

/// A user who left a presence channel: their last connection to it is gone.
public struct PresenceDeparture: Sendable, Equatable {
    /// The app of the channel.
    public let appID: String
    /// The presence channel.
    public let channel: String
    /// The user who left.
    public let userID: String
    /// When the channel is an edit lock and this user held it: who holds it now.
    public var handover: LockHandover?

    /// Creates a departure.
    public init(appID: String, channel: String, userID: String, handover: LockHandover? = nil) {
        self.appID = appID
        self.channel = channel
        self.userID = userID
        self.handover = handover
    }
}

/// The answer to a subscription.
public enum SubscribeOutcome: Sendable, Equatable {
    /// Subscribed. For a presence channel, `members` lists every member (this one included)
    /// and `isNewMember` tells whether this user was not a member before (so the others
    /// must hear `member_added`); for other channels both are empty/false.
    case subscribed(members: [PresenceRow], isNewMember: Bool)
    /// A presence channel already holds `limit` other members.
    case full(limit: Int)
    /// Refused: the channel is an edit lock in `refuse` mode and `holder`, another user, holds
    /// it; `at` is the database's clock when that was decided.
    case locked(holder: PresenceRow, at: Date)
}

/// The hub's shared state in PostgreSQL: which daemons live, who is subscribed where (so
/// every daemon answers channel queries and presence lists alike), and large fanned-out
/// messages. Presence changes of one channel are serialized by a transaction-scoped advisory
/// lock, so two tabs of one user joining on two daemons announce the user once.
///
/// With ``webhooks``, the same transactions that write or delete `hub_subscriptions` rows
/// decide and record the webhook events (``HubStore+Webhooks``): a channel's first and last
/// subscriber across all daemons, a presence member's first and last connection. With
/// ``rules``, they also decide the holder of each edit lock (``HubStore+Locks``).
public struct HubStore {
    let connection: PGConnection
    /// Where webhook events go; nil when no URL is configured.
    let webhooks: WebhookRecorder?
    /// The channel rules, which say which presence channels are edit locks; nil: none is.
    let rules: ChannelRuleSet?

    /// A store working on `connection`, recording webhook events with `webhooks` and deciding
    /// the edit locks `rules` declare.
    public init(connection: PGConnection, webhooks: WebhookRecorder? = nil, rules: ChannelRuleSet? = nil) {
        self.connection = connection
        self.webhooks = webhooks
        self.rules = rules
    }

    /// Records that `daemon` is alive (re-registering it if the row is gone, as after a
    /// PostgreSQL restart), forgets daemons not seen for `staleAfter` seconds, and returns the
    /// presence members their disappearance removed.
    /// `externalTarget` is what the daemon publishes the outbox to (``OutboxDestinations``).
    public func heartbeat(daemon: UUID, staleAfter seconds: Int, externalTarget: String? = nil) throws -> [PresenceDeparture] {
        try connection.query("""
            INSERT INTO hub_daemons (id, external_target) VALUES ($1, $2)
            ON CONFLICT (id) DO UPDATE SET seen_at = now(), external_target = EXCLUDED.external_target
            """, daemon, externalTarget)
        try connection.query("DELETE FROM hub_daemons WHERE seen_at < now() - make_interval(secs => $1)", seconds)
        let orphans = try connection.query("""
            SELECT DISTINCT app_id, channel FROM hub_subscriptions s
            WHERE NOT EXISTS (SELECT 1 FROM hub_daemons d WHERE d.id = s.daemon_id)
            """).rows
        var departures: [PresenceDeparture] = []
        for row in orphans {
            let appID = try row.decode(String.self, "app_id")
            let channel = try row.decode(String.self, "channel")
            departures += try removing(appID: appID, channel: channel, where: """
                NOT EXISTS (SELECT 1 FROM hub_daemons d WHERE d.id = hub_subscriptions.daemon_id)
                """, [])
        }
        return departures
    }

    /// Removes `daemon` and its subscriptions (a graceful stop), returning the departures.
    public func retire(daemon: UUID) throws -> [PresenceDeparture] {
        try connection.query("DELETE FROM hub_daemons WHERE id = $1", daemon)
        let channels = try connection.query(
            "SELECT DISTINCT app_id, channel FROM hub_subscriptions WHERE daemon_id = $1", daemon).rows
        var departures: [PresenceDeparture] = []
        for row in channels {
            departures += try removing(appID: try row.decode(String.self, "app_id"), channel: try row.decode(String.self, "channel"),
                                       where: "daemon_id = $3", [daemon])
        }
        return departures
    }

    /// Subscribes `socket` to `channel`; with `member`, as a presence member, refused when
    /// `limit` other users are members already.
    public func subscribe(daemon: UUID, socket: String, appID: String, channel: String,
                          member: PresenceRow?, limit: Int) throws -> SubscribeOutcome {
        guard let member else {
            // The batched path decides channel_occupied for these rows.
            try apply([.subscribe(socket: socket, appID: appID, channel: channel)], daemon: daemon)
            return .subscribed(members: [], isNewMember: false)
        }
        return try connection.transaction { connection in
            try lock(connection, appID: appID, channel: channel)
            let present = try connection.query("""
                SELECT count(*) AS rows, count(DISTINCT user_id) AS users, bool_or(user_id = $3) AS member
                FROM hub_subscriptions WHERE app_id = $1 AND channel = $2
                """, appID, channel, member.userID).first
            let users = try present?.decode(Int.self, "users") ?? 0
            let isMember = try present?.decode(Bool?.self, "member") ?? false
            if !isMember, users >= limit { return .full(limit: limit) }
            // A new user on an edit lock that refuses a second user, held by another: not stored.
            if !isMember, users > 0, rules?.lockMode(channel) == .refuse,
               let held = try lockHolder(connection, appID: appID, channel: channel) {
                return .locked(holder: held.holder, at: held.at)
            }
            // A member's join time: clock_timestamp(), not now() (the transaction's start), taken
            // under the channel's lock, orders the members as the lock admitted them, so the
            // earliest member (an edit lock's holder) is the one every transaction saw first.
            // Another tab of a member gets the member's time, so the member keeps its place
            // (and its lock) while any of its connections stays.
            try connection.query("""
                INSERT INTO hub_subscriptions (daemon_id, socket_id, app_id, channel, user_id, user_info, subscribed_at)
                VALUES ($1, $2, $3, $4, $5, $6::jsonb, coalesce(
                    (SELECT min(subscribed_at) FROM hub_subscriptions WHERE app_id = $3 AND channel = $4 AND user_id = $5),
                    clock_timestamp()))
                ON CONFLICT (daemon_id, socket_id, channel) DO UPDATE SET user_id = EXCLUDED.user_id, user_info = EXCLUDED.user_info
                """, daemon, socket, appID, channel, member.userID, member.userInfo)
            try recordArrival(on: connection, appID: appID, channel: channel, userID: isMember ? nil : member.userID,
                              occupies: try present?.decode(Int.self, "rows") == 0)
            return .subscribed(members: try members(connection, appID: appID, channel: channel), isNewMember: !isMember)
        }
    }

    /// Unsubscribes `socket` from `channel`; the departure when it was its user's last
    /// connection to a presence channel.
    public func unsubscribe(daemon: UUID, socket: String, appID: String, channel: String) throws -> [PresenceDeparture] {
        try removing(appID: appID, channel: channel, where: "daemon_id = $3 AND socket_id = $4", [daemon, socket])
    }

    /// Removes `socket`'s presence memberships (it disconnected); its other rows go in a batch
    /// (``apply(_:daemon:)``).
    public func disconnect(daemon: UUID, socket: String) throws -> [PresenceDeparture] {
        let channels = try connection.query("""
            SELECT app_id, channel FROM hub_subscriptions WHERE daemon_id = $1 AND socket_id = $2 AND user_id IS NOT NULL
            """, daemon, socket).rows
        var departures: [PresenceDeparture] = []
        for row in channels {
            departures += try unsubscribe(daemon: daemon, socket: socket, appID: try row.decode(String.self, "app_id"),
                                          channel: try row.decode(String.self, "channel"))
        }
        return departures
    }

    /// Deletes the rows of one channel matching `condition` (a fixed SQL condition whose
    /// parameters start at `$3`) and returns the users who have no connection left in it.
    private func removing(appID: String, channel: String, where condition: String,
                          _ parameters: [(any PGEncodable)?]) throws -> [PresenceDeparture] {
        try connection.transaction { connection in
            try lock(connection, appID: appID, channel: channel)
            // An edit lock's holder before the delete, to tell whether it left (``handOver``).
            let holder = rules?.lockMode(channel) == nil ? nil : try lockHolder(connection, appID: appID, channel: channel)?.holder
            let removed = try connection.query(
                "DELETE FROM hub_subscriptions WHERE app_id = $1 AND channel = $2 AND \(condition) RETURNING user_id",
                [appID, channel] + parameters)
            let users = Set(try removed.rows.compactMap { try $0.decode(String?.self, "user_id") })
            var departures: [PresenceDeparture] = []
            if !users.isEmpty {
                let staying = Set(try connection.query("""
                    SELECT DISTINCT user_id FROM hub_subscriptions WHERE app_id = $1 AND channel = $2 AND user_id = ANY($3)
                    """, appID, channel, PGTextArray(strings: users)).rows.map { try $0.decode(String.self, "user_id") })
                departures = users.subtracting(staying).sorted().map { PresenceDeparture(appID: appID, channel: channel, userID: $0) }
            }
            if !removed.rows.isEmpty { try recordDepartures(on: connection, appID: appID, channel: channel, departures) }
            if let holder { departures = try handOver(connection, from: holder, appID: appID, channel: channel, departures) }
            return departures
        }
    }

    private func lock(_ connection: PGConnection, appID: String, channel: String) throws {
        try connection.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 7))", Self.lockKey(appID: appID, channel: channel))
    }

    /// The text whose hash is a channel's advisory lock key.
    static func lockKey(appID: String, channel: String) -> String {
        appID + "\u{1F}" + channel
    }

    /// The members of a presence channel in the order they joined (a user's first connection
    /// counts: its other connections are stored with the same time), each with the `user_info`
    /// of one of its connections.
    func members(_ connection: PGConnection, appID: String, channel: String) throws -> [PresenceRow] {
        try connection.query("""
            SELECT user_id, user_info, joined_at FROM (
                SELECT DISTINCT ON (user_id) user_id, user_info::text AS user_info,
                       min(subscribed_at) OVER (PARTITION BY user_id) AS joined_at
                FROM hub_subscriptions WHERE app_id = $1 AND channel = $2 AND user_id IS NOT NULL
                ORDER BY user_id, subscribed_at
            ) m
            ORDER BY joined_at, user_id
            """, appID, channel).rows.map {
            PresenceRow(userID: try $0.decode(String.self, "user_id"), userInfo: try $0.decode(String?.self, "user_info"),
                        joinedAt: try $0.decode(Date.self, "joined_at"))
        }
    }
}
