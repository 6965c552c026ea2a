import Foundation
import Postgres

/// A change to the subscriptions of channels without members (public and private channels),
/// which the hub writes in batches: they serve only channel queries, so nothing waits for them.
public enum SubscriptionChange: Sendable, Equatable {
    /// `socket` subscribed to `channel` of app `appID`.
    case subscribe(socket: String, appID: String, channel: String)
    /// `socket` unsubscribed from `channel` of app `appID`.
    case unsubscribe(socket: String, appID: String, channel: String)
    /// `socket` closed: all its rows without a member go.
    case disconnect(socket: String)
}

extension HubStore {
    /// Applies `changes` (already coalesced: at most one per socket and channel, and none for a
    /// socket after its `disconnect`) for `daemon` in one transaction of three statements; each
    /// also logs the appointment channels it changed (``AppointmentChannelLog``). When a webhook
    /// URL wants occupancy events, the transaction first locks the channels it touches and
    /// records those it occupied or vacated (``HubStore+Webhooks``).
    public func apply(_ changes: [SubscriptionChange], daemon: UUID) throws {
        var added: (sockets: [String], apps: [String], channels: [String]) = ([], [], [])
        var removed: (sockets: [String], apps: [String], channels: [String]) = ([], [], [])
        var gone: [String] = []
        for change in changes {
            switch change {
            case .subscribe(let socket, let app, let channel):
                added.sockets.append(socket); added.apps.append(app); added.channels.append(channel)
            case .unsubscribe(let socket, let app, let channel):
                removed.sockets.append(socket); removed.apps.append(app); removed.channels.append(channel)
            case .disconnect(let socket):
                gone.append(socket)
            }
        }
        try connection.transaction { connection in
            var touched: [ChannelKey] = []
            var before: Set<ChannelKey> = []
            // A closed socket's apps are known only from its rows, so any webhook URL makes the batch look.
            if watchesOccupancy(of: added.apps + removed.apps) || (!gone.isEmpty && webhooks != nil) {
                let named = zip(added.apps + removed.apps, added.channels + removed.channels).map { ChannelKey(appID: $0, channel: $1) }
                touched = Array(Set(named + (try channelsWithoutMembers(on: connection, daemon: daemon, sockets: gone))))
                    .filter { watchesOccupancy(of: [$0.appID]) }
                try lock(touched, on: connection)
                before = try occupied(touched, on: connection)
            }
            if !gone.isEmpty {
                try connection.query("""
                    WITH changed AS (
                        DELETE FROM hub_subscriptions WHERE daemon_id = $1 AND socket_id = ANY($2::text[]) AND user_id IS NULL
                        RETURNING socket_id, channel)
                    \(AppointmentChannelLog.logging("left"))
                    """, daemon, PGTextArray(strings: gone))
            }
            if !removed.sockets.isEmpty {
                try connection.query("""
                    WITH changed AS (
                        DELETE FROM hub_subscriptions s USING unnest($2::text[], $3::text[], $4::text[]) AS r(socket, app, channel)
                        WHERE s.daemon_id = $1 AND s.socket_id = r.socket AND s.app_id = r.app AND s.channel = r.channel
                          AND s.user_id IS NULL
                        RETURNING s.socket_id, s.channel)
                    \(AppointmentChannelLog.logging("left"))
                    """, daemon, PGTextArray(strings: removed.sockets), PGTextArray(strings: removed.apps),
                    PGTextArray(strings: removed.channels))
            }
            if !added.sockets.isEmpty {
                try connection.query("""
                    WITH changed AS (
                        INSERT INTO hub_subscriptions (daemon_id, socket_id, app_id, channel)
                        SELECT $1, socket, app, channel FROM unnest($2::text[], $3::text[], $4::text[]) AS a(socket, app, channel)
                        ON CONFLICT DO NOTHING
                        RETURNING socket_id, channel)
                    \(AppointmentChannelLog.logging("subscribed"))
                    """, daemon, PGTextArray(strings: added.sockets), PGTextArray(strings: added.apps),
                    PGTextArray(strings: added.channels))
            }
            if !touched.isEmpty {
                try recordOccupancy(before: before, after: try occupied(touched, on: connection), of: touched, on: connection)
            }
        }
    }
}
