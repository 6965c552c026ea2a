import CallDomain
import CallStore
import Foundation
import PusherProtocol

/// What the hub says about an edit lock (a presence channel whose rule is `lock(…)`; see
/// docs/design.md "Channels"). The holder is decided in the database (``HubStore``); these are
/// the messages:
///
/// - on the channel, to every member on every daemon: `LockAcquired {holder, at}`,
///   `LockReleased {holder, since, at, reason}` and `LockContended {holder, by, outcome, at}`
///   (`outcome`: `refused` or `watching`);
/// - to the socket that just joined, after `pusher_internal:subscription_succeeded`:
///   `LockHeld {holder, holderInfo, since}`, so every tab knows who holds the lock;
/// - to a second user refused by a `refuse` lock: `pusher:subscription_error` with type
///   `LockHeld`, status 409, the holder and since when.
///
/// `holder` and `by` are presence user ids; `since` is when the holder joined the channel;
/// times are ISO-8601 UTC with milliseconds, from the database's clock.
enum EditLock {
    /// Why a holder's lock was released: what ended its last connection to the channel.
    enum Release: String {
        /// It unsubscribed.
        case left
        /// Its WebSocket connection ended.
        case disconnected
        /// Its daemon stopped heartbeating and another daemon removed its rows.
        case daemonGone = "daemon_gone"
        /// Its daemon shut down gracefully.
        case shutdown
    }

    /// What became of a second user who tried to join.
    enum Contention: String {
        /// Refused (`refuse` mode).
        case refused
        /// Admitted as a watcher (`watch` mode).
        case watching
    }

    /// `LockAcquired` on `channel`: `holder` holds the lock from `at`.
    static func acquired(appID: String, channel: String, holder: String, at: Date) -> HubEvent {
        event("LockAcquired", appID: appID, channel: channel, ["holder": .string(holder), "at": time(at)])
    }

    /// `LockContended` on `channel`: `by` tried to join while `holder` held the lock.
    static func contended(appID: String, channel: String, holder: String, by: String, outcome: Contention, at: Date) -> HubEvent {
        event("LockContended", appID: appID, channel: channel, [
            "holder": .string(holder), "by": .string(by), "outcome": .string(outcome.rawValue), "at": time(at),
        ])
    }

    /// The lock events a departure brings (none unless its user held the lock): `LockReleased`,
    /// then `LockAcquired` by the next holder when a member is left.
    static func events(after departure: PresenceDeparture, reason: Release) -> [HubEvent] {
        guard let handover = departure.handover else { return [] }
        var events = [event("LockReleased", appID: departure.appID, channel: departure.channel, [
            "holder": .string(departure.userID), "since": time(handover.heldSince), "at": time(handover.at),
            "reason": .string(reason.rawValue),
        ])]
        if let next = handover.next {
            events.append(acquired(appID: departure.appID, channel: departure.channel, holder: next.userID, at: handover.at))
        }
        return events
    }

    /// `LockHeld`, the frame sent to a socket that just joined `channel`: who holds the lock.
    static func held(appID: String, channel: String, holder: PresenceRow) -> String {
        Hub.wireText(event("LockHeld", appID: appID, channel: channel, describing(holder)))
    }

    /// The `pusher:subscription_error` refusing a second user: the channel is locked by `holder`.
    static func refusal(channel: String, holder: PresenceRow) -> String {
        var data = describing(holder)
        data["type"] = .string("LockHeld")
        data["status"] = .integer(409)
        data["error"] = .string("\(channel) is an edit lock held by user \(holder.userID)"
                                + (holder.joinedAt.map { " since \(ISOTimestamp.format($0))" } ?? "")
                                + "; only one user may hold it. Try again once it is released.")
        return PusherMessage(event: "pusher:subscription_error", channel: channel, data: .object(data)).encoded()
    }

    /// `holder`, `holderInfo` (the holder's presence `user_info`, or null) and `since`.
    private static func describing(_ holder: PresenceRow) -> [String: PusherJSON] {
        [
            "holder": .string(holder.userID),
            "holderInfo": holder.userInfo.flatMap { PusherJSON(parsing: Array($0.utf8)) } ?? .null,
            "since": holder.joinedAt.map(time) ?? .null,
        ]
    }

    private static func event(_ name: String, appID: String, channel: String, _ data: [String: PusherJSON]) -> HubEvent {
        HubEvent(appID: appID, channel: channel, event: name, data: PusherJSON.object(data).jsonString)
    }

    private static func time(_ date: Date) -> PusherJSON { .string(ISOTimestamp.format(date)) }
}
