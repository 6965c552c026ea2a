import Foundation
import Postgres

/// An edit lock passing on because its holder left the channel (docs/design.md "Channels").
public struct LockHandover: Sendable, Equatable {
    /// When the holder who left had joined the channel.
    public let heldSince: Date
    /// Who holds the lock now: the earliest member left; nil when nobody is left.
    public let next: PresenceRow?
    /// The database's clock when the lock was released.
    public let at: Date

    /// Creates a handover.
    public init(heldSince: Date, next: PresenceRow?, at: Date) {
        self.heldSince = heldSince
        self.next = next
        self.at = at
    }
}

/// Edit locks (presence channels whose rule is `lock(…)`): the holder is the member whose first
/// connection joined earliest, across all daemons (a member's other connections carry the same
/// time, so it keeps the lock while any of them stays). It is read in the transactions that add or
/// remove the channel's rows, under the channel's advisory lock (the one ``HubStore`` and the
/// webhooks already take), so every daemon sees the same holder and each change of holder is
/// decided once.
extension HubStore {
    /// The holder of a lock channel (its earliest member, with that first connection's
    /// `user_info`), and the database's clock; nil when the channel has no member.
    func lockHolder(_ connection: PGConnection, appID: String, channel: String) throws -> (holder: PresenceRow, at: Date)? {
        guard let row = try connection.query("""
            SELECT user_id, user_info::text AS user_info, subscribed_at, clock_timestamp() AS at
            FROM hub_subscriptions WHERE app_id = $1 AND channel = $2 AND user_id IS NOT NULL
            ORDER BY subscribed_at, user_id LIMIT 1
            """, appID, channel).first else { return nil }
        let holder = PresenceRow(userID: try row.decode(String.self, "user_id"), userInfo: try row.decode(String?.self, "user_info"),
                                 joinedAt: try row.decode(Date.self, "subscribed_at"))
        return (holder, try row.decode(Date.self, "at"))
    }

    /// `departures` with the handover attached to `holder`'s departure when the holder is among
    /// them (its last connection went): the lock passes to the earliest member left.
    func handOver(_ connection: PGConnection, from holder: PresenceRow, appID: String, channel: String,
                  _ departures: [PresenceDeparture]) throws -> [PresenceDeparture] {
        guard let index = departures.firstIndex(where: { $0.userID == holder.userID }), let since = holder.joinedAt else { return departures }
        let next = try lockHolder(connection, appID: appID, channel: channel)
        let at = try next?.at ?? connection.query("SELECT clock_timestamp() AS at").first?.decode(Date.self, "at") ?? Date()
        var departures = departures
        departures[index].handover = LockHandover(heldSince: since, next: next?.holder, at: at)
        return departures
    }
}
