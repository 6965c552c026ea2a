import Foundation
import Postgres

/// A channel's live subscriptions over all daemons.
public struct ChannelOccupancy: Sendable, Equatable {
    /// The channel name.
    public let channel: String
    /// Connections subscribed.
    public let subscriptions: Int
    /// Distinct presence members (0 for other channels).
    public let users: Int
}

extension HubStore {
    /// The occupied channels of an app, optionally only those starting with `prefix`.
    public func occupancy(appID: String, prefix: String?) throws -> [ChannelOccupancy] {
        try connection.query("""
            SELECT channel, count(*) AS subscriptions, count(DISTINCT user_id) AS users
            FROM hub_subscriptions
            WHERE app_id = $1 AND ($2::text IS NULL OR starts_with(channel, $2::text))
            GROUP BY channel ORDER BY channel
            """, appID, prefix).rows.map(Self.occupancy)
    }

    /// One channel's occupancy; nil when nobody is subscribed.
    public func occupancy(appID: String, channel: String) throws -> ChannelOccupancy? {
        try connection.query("""
            SELECT channel, count(*) AS subscriptions, count(DISTINCT user_id) AS users
            FROM hub_subscriptions WHERE app_id = $1 AND channel = $2 GROUP BY channel
            """, appID, channel).rows.map(Self.occupancy).first
    }

    /// The members of a presence channel in the order they joined.
    public func members(appID: String, channel: String) throws -> [PresenceRow] {
        try members(connection, appID: appID, channel: channel)
    }

    /// How many daemons other than `daemon` are alive (registered and not yet cleared).
    public func peers(of daemon: UUID) throws -> Int {
        try connection.query("SELECT count(*) AS peers FROM hub_daemons WHERE id <> $1", daemon).first?.decode(Int.self, "peers") ?? 0
    }

    /// Keeps a fanned-out message too large for a `NOTIFY` payload; its id goes in the
    /// notification instead.
    public func storeMessage(_ body: String) throws -> Int64 {
        try connection.query("INSERT INTO hub_messages (body) VALUES ($1) RETURNING id", body).first?.decode(Int64.self, "id") ?? 0
    }

    /// A stored message, or nil when it was pruned.
    public func message(id: Int64) throws -> String? {
        try connection.query("SELECT body FROM hub_messages WHERE id = $1", id).first?.decode(String.self, "body")
    }

    /// Deletes stored messages older than `seconds`.
    public func pruneMessages(olderThan seconds: Int) throws {
        try connection.query("DELETE FROM hub_messages WHERE created_at < now() - make_interval(secs => $1)", seconds)
    }

    private static func occupancy(_ row: PGRow) throws -> ChannelOccupancy {
        ChannelOccupancy(channel: try row.decode(String.self, "channel"), subscriptions: try row.decode(Int.self, "subscriptions"),
                         users: try row.decode(Int.self, "users"))
    }
}
