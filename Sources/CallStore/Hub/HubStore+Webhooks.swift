import Foundation
import Postgres

/// The webhook events the hub's transactions decide (docs/design.md, "Webhooks"). Every
/// transaction that adds or removes a channel's rows holds that channel's advisory lock while
/// it looks at what was there before and after, so of two daemons changing one channel the
/// second sees the first's commit: `channel_occupied` and `channel_vacated` are recorded once
/// across all daemons, in the order they happened.
extension HubStore {
    /// A presence subscription's events: `channel_occupied` when the channel had no row,
    /// then `member_added` when `userID` (nil: already a member) is new.
    func recordArrival(on connection: PGConnection, appID: String, channel: String, userID: String?, occupies: Bool) throws {
        guard let webhooks else { return }
        var events: [WebhookEvent] = []
        if occupies { events.append(.occupancy(true, appID: appID, channel: channel)) }
        if let userID { events.append(.member(true, appID: appID, channel: channel, userID: userID)) }
        try webhooks.record(events, on: connection)
    }

    /// After rows of a channel were deleted under its lock: `member_removed` for each
    /// departure, then `channel_vacated` when no row is left.
    func recordDepartures(on connection: PGConnection, appID: String, channel: String,
                          _ departures: [PresenceDeparture]) throws {
        guard let webhooks else { return }
        var events = departures.map { WebhookEvent.member(false, appID: appID, channel: channel, userID: $0.userID) }
        if webhooks.wants(.channelVacated, appID: appID),
           try connection.query("SELECT 1 AS left FROM hub_subscriptions WHERE app_id = $1 AND channel = $2 LIMIT 1",
                                appID, channel).first == nil {
            events.append(.occupancy(false, appID: appID, channel: channel))
        }
        try webhooks.record(events, on: connection)
    }

    /// A channel of an app.
    struct ChannelKey: Hashable, Comparable {
        let appID: String
        let channel: String

        static func < (lhs: ChannelKey, rhs: ChannelKey) -> Bool {
            (lhs.appID, lhs.channel) < (rhs.appID, rhs.channel)
        }
    }

    /// Whether a batch of changes must decide occupancy: some URL wants `channel_occupied` or
    /// `channel_vacated` of an app the batch touches.
    func watchesOccupancy(of apps: some Sequence<String>) -> Bool {
        guard let webhooks else { return false }
        return apps.contains { webhooks.wants(.channelOccupied, appID: $0) || webhooks.wants(.channelVacated, appID: $0) }
    }

    /// The channels without members that `sockets` of `daemon` hold (what their disconnection removes).
    func channelsWithoutMembers(on connection: PGConnection, daemon: UUID, sockets: [String]) throws -> [ChannelKey] {
        guard !sockets.isEmpty else { return [] }
        return try connection.query("""
            SELECT DISTINCT app_id, channel FROM hub_subscriptions
            WHERE daemon_id = $1 AND socket_id = ANY($2::text[]) AND user_id IS NULL
            """, daemon, PGTextArray(strings: sockets)).rows.map {
            ChannelKey(appID: try $0.decode(String.self, "app_id"), channel: try $0.decode(String.self, "channel"))
        }
    }

    /// Takes the advisory locks of `channels` in one statement, in the order of their keys, so
    /// two batches locking overlapping channels cannot deadlock.
    func lock(_ channels: [ChannelKey], on connection: PGConnection) throws {
        guard !channels.isEmpty else { return }
        try connection.query("""
            SELECT pg_advisory_xact_lock(k) FROM (
                SELECT DISTINCT hashtextextended(t, 7) AS k FROM unnest($1::text[]) AS t ORDER BY k
            ) keys
            """, PGTextArray(strings: channels.map { Self.lockKey(appID: $0.appID, channel: $0.channel) }))
    }

    /// Which of `channels` have at least one subscription (on any daemon).
    func occupied(_ channels: [ChannelKey], on connection: PGConnection) throws -> Set<ChannelKey> {
        guard !channels.isEmpty else { return [] }
        return Set(try connection.query("""
            SELECT k.app_id, k.channel FROM unnest($1::text[], $2::text[]) AS k(app_id, channel)
            WHERE EXISTS (SELECT 1 FROM hub_subscriptions s WHERE s.app_id = k.app_id AND s.channel = k.channel)
            """, PGTextArray(strings: channels.map(\.appID)), PGTextArray(strings: channels.map(\.channel))).rows.map {
            ChannelKey(appID: try $0.decode(String.self, "app_id"), channel: try $0.decode(String.self, "channel"))
        })
    }

    /// Records `channel_occupied` / `channel_vacated` for the channels whose occupancy changed.
    func recordOccupancy(before: Set<ChannelKey>, after: Set<ChannelKey>, of channels: [ChannelKey],
                         on connection: PGConnection) throws {
        guard let webhooks else { return }
        let events = channels.sorted().compactMap { key -> WebhookEvent? in
            switch (before.contains(key), after.contains(key)) {
            case (false, true): .occupancy(true, appID: key.appID, channel: key.channel)
            case (true, false): .occupancy(false, appID: key.appID, channel: key.channel)
            default: nil
            }
        }
        try webhooks.record(events, on: connection)
    }
}
