import NIOConcurrencyHelpers
import NIOCore
import PusherProtocol

/// A presence membership change carried by a `pusher_internal:member_added` or
/// `member_removed` message.
enum PresenceChange: Sendable, Equatable {
    case added(String)
    case removed(String)
}

/// What a connection's writer sends: a text frame's bytes (one buffer shared by every
/// subscriber of a fanned-out event), or a close frame ending the connection.
enum HubOutbound: Sendable {
    case text(ByteBuffer)
    case close(PusherErrorCode, String)
}

/// One WebSocket client of the hub: its socket id, app, the queue its writer drains, and the
/// bookkeeping behind pings, subscriptions and the client-event rate limit.
///
/// Delivery never waits for the client: ``send(_:)`` queues. A client that lets
/// ``bufferLimit`` messages pile up is closed with 4100 (over capacity, reconnect after a
/// back-off) instead of silently losing messages.
final class HubConnection: Sendable {
    /// Messages a slow client may have queued before it is disconnected.
    static let bufferLimit = 2_000

    let socketID: SocketID
    let app: PusherApp
    let outbound: AsyncStream<HubOutbound>
    private let continuation: AsyncStream<HubOutbound>.Continuation
    private let state: NIOLockedValueBox<State>
    /// Apart from `state`, so ``send(_:)`` may run while `state` is locked.
    private let overflow = NIOLockedValueBox(false)

    struct State {
        /// Subscribed channels, with the presence user id for presence channels.
        var channels: [String: String] = [:]
        /// Channels being subscribed: what arrived for them meanwhile, held back until the
        /// subscription succeeded (and dropped if it fails).
        var pending: [String: [(text: ByteBuffer, presence: PresenceChange?)]] = [:]
        /// The members this client knows of, per presence channel.
        var members: [String: Set<String>] = [:]
        var lastActivity: ContinuousClock.Instant
        var pingSentAt: ContinuousClock.Instant?
        var eventWindowStart: ContinuousClock.Instant
        var eventsInWindow = 0
    }

    init(socketID: SocketID, app: PusherApp, now: ContinuousClock.Instant = .now) {
        self.socketID = socketID
        self.app = app
        (outbound, continuation) = AsyncStream.makeStream(of: HubOutbound.self, bufferingPolicy: .bufferingOldest(Self.bufferLimit))
        state = NIOLockedValueBox(State(lastActivity: now, eventWindowStart: now))
    }

    /// Queues a text frame; a full queue ends the connection with 4100.
    func send(_ text: String) {
        send(ByteBuffer(string: text))
    }

    /// Queues a text frame's bytes; a full queue ends the connection with 4100.
    func send(_ text: ByteBuffer) {
        if case .dropped = continuation.yield(.text(text)) {
            overflow.withLockedValue { $0 = true }
            continuation.finish()
        }
    }

    /// Queues a message of `channel`. While the channel's subscription is pending it is held
    /// back; a presence change the client's member list already reflects is dropped, so a
    /// member is announced exactly once however the daemons' messages interleave.
    func deliver(_ text: ByteBuffer, on channel: String, presence: PresenceChange?) {
        let send: Bool = state.withLockedValue {
            if $0.pending[channel] != nil {
                $0.pending[channel]?.append((text, presence))
                return false
            }
            return Self.admit(presence, into: &$0.members[channel])
        }
        if send { self.send(text) }
    }

    /// Holds back `channel`'s messages until ``completeSubscription(_:with:members:)``.
    func beginSubscription(_ channel: String) {
        state.withLockedValue { $0.pending[channel] = $0.pending[channel] ?? [] }
    }

    /// Sends `succeeded`, then what arrived meanwhile, filtered by `members` (presence only).
    func completeSubscription(_ channel: String, with succeeded: String, members: Set<String>?) {
        state.withLockedValue {
            let held = $0.pending.removeValue(forKey: channel) ?? []
            $0.members[channel] = members
            send(succeeded)
            for item in held where Self.admit(item.presence, into: &$0.members[channel]) { send(item.text) }
        }
    }

    /// Drops what was held back for a subscription that failed.
    func abandonSubscription(_ channel: String) {
        state.withLockedValue { _ = $0.pending.removeValue(forKey: channel) }
    }

    private static func admit(_ change: PresenceChange?, into members: inout Set<String>?) -> Bool {
        guard let change, members != nil else { return true }
        switch change {
        case .added(let user): return members?.insert(user).inserted ?? true
        case .removed(let user): return members?.remove(user) != nil
        }
    }

    /// Queues a close frame and ends the queue.
    func close(_ code: PusherErrorCode, reason: String) {
        continuation.yield(.close(code, reason))
        continuation.finish()
    }

    /// Ends the queue without a close frame (the client is gone).
    func finish() { continuation.finish() }

    /// True when the queue overflowed.
    var overflowed: Bool { overflow.withLockedValue { $0 } }

    /// The client sent something: it is alive.
    func touch(_ now: ContinuousClock.Instant = .now) {
        state.withLockedValue {
            $0.lastActivity = now
            $0.pingSentAt = nil
        }
    }

    /// Whether another client event fits in the per-second budget.
    func admitClientEvent(perSecond limit: Int, now: ContinuousClock.Instant = .now) -> Bool {
        state.withLockedValue {
            if now - $0.eventWindowStart >= .seconds(1) {
                $0.eventWindowStart = now
                $0.eventsInWindow = 0
            }
            $0.eventsInWindow += 1
            return $0.eventsInWindow <= limit
        }
    }

    /// Records a subscription; false when it already existed.
    func subscribe(_ channel: String, userID: String?) -> Bool {
        state.withLockedValue { $0.channels.updateValue(userID ?? "", forKey: channel) == nil }
    }

    /// Forgets a subscription; false when there was none.
    func unsubscribe(_ channel: String) -> Bool {
        state.withLockedValue {
            $0.members[channel] = nil
            return $0.channels.removeValue(forKey: channel) != nil
        }
    }

    /// The presence user id this connection joined `channel` as, if subscribed (empty for
    /// channels without members).
    func member(of channel: String) -> String? { state.withLockedValue { $0.channels[channel] } }

    /// The subscribed channels.
    var channels: [String] { state.withLockedValue { Array($0.channels.keys) } }

    /// What the activity sweep must do with this connection now.
    enum Liveness { case alive, ping, dead }

    /// Pings after `activity` of silence, declares the client dead `pong` after the ping.
    func liveness(activity: Duration, pong: Duration, now: ContinuousClock.Instant = .now) -> Liveness {
        state.withLockedValue {
            if let sent = $0.pingSentAt { return now - sent >= pong ? .dead : .alive }
            guard now - $0.lastActivity >= activity else { return .alive }
            $0.pingSentAt = now
            return .ping
        }
    }
}
