import NIOConcurrencyHelpers
import NIOCore
import PusherProtocol

/// A presence membership change carried by a `pusher_internal:member_added` or
/// `member_removed` message.
enum PresenceChange: Sendable, Equatable {
    case added(String)
    case removed(String)
}

/// Where a connection's frames go: in the daemon, straight into the client's NIO channel
/// (``ChannelSink``); in unit tests, a recorder.
protocol HubSink: Sendable {
    /// Queues a text frame; false when the client is not reading fast enough (its socket's
    /// send buffer is over the high-water mark).
    func write(_ text: ByteBuffer) -> Bool
    /// Sends a close frame with `code` and ends the connection.
    func close(_ code: PusherErrorCode, reason: String)
    /// The event loop the client's socket lives on; nil when there is none (tests).
    var eventLoop: (any EventLoop)? { get }
}

extension HubSink {
    /// Runs `body` on the socket's event loop (inline when already there, or without one),
    /// so every send decision of a connection happens in one place, in order.
    func perform(_ body: @escaping @Sendable () -> Void) {
        guard let loop = eventLoop, !loop.inEventLoop else { return body() }
        loop.execute(body)
    }
}

/// One WebSocket client of the hub: its socket id, app, where its frames go, and the
/// bookkeeping behind pings, subscriptions and the client-event rate limit.
///
/// Delivery never waits for the client: every send decision runs on the client's event loop
/// (``HubSink/perform(_:)``; the hub batches a fanned-out event into one task per loop), so
/// a client sees its messages in the order they were decided. A client that stays unwritable for ``bufferLimit``
/// messages is closed with 4100 (over capacity, reconnect after a back-off) instead of
/// letting its backlog grow without bound.
final class HubConnection: Sendable {
    /// Messages sent to a client that is not reading before it is disconnected.
    static let bufferLimit = 2_000

    let socketID: SocketID
    let app: PusherApp
    /// The client's address (behind a trusted proxy, the forwarded one); nil when unknown.
    let clientAddress: String?
    private let sink: any HubSink
    private let state: NIOLockedValueBox<State>

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
        var events: SecondWindow
        var subscribes: SecondWindow
        var messages: SecondWindow
        /// Whether a subscription was ever begun (so rows may exist to remove at the end).
        var everSubscribed = false
        /// Whether a presence subscription was ever begun (so members may need announcing gone).
        var everJoinedPresence = false
        /// Frames sent while the client was not writable, in a row.
        var unwritable = 0
        var closed = false
    }

    init(socketID: SocketID, app: PusherApp, sink: any HubSink, clientAddress: String? = nil, now: ContinuousClock.Instant = .now) {
        self.socketID = socketID
        self.app = app
        self.clientAddress = clientAddress
        self.sink = sink
        state = NIOLockedValueBox(State(lastActivity: now, events: SecondWindow(now), subscribes: SecondWindow(now), messages: SecondWindow(now)))
    }

    /// Sends a text frame.
    func send(_ text: String) {
        send(ByteBuffer(string: text))
    }

    /// Sends a text frame's bytes.
    func send(_ text: ByteBuffer) {
        sink.perform { self.state.withLockedValue { self.write(text, &$0) } }
    }

    /// The event loop to run ``deliver(_:on:presence:)`` on; nil for a loop-less sink.
    var eventLoop: (any EventLoop)? { sink.eventLoop }

    /// Hands a frame to the sink; called with the state locked.
    private func write(_ text: ByteBuffer, _ state: inout State) {
        guard !state.closed else { return }
        if sink.write(text) {
            state.unwritable = 0
        } else {
            state.unwritable += 1
            if state.unwritable >= Self.bufferLimit {
                state.closed = true
                sink.close(.overCapacity, reason: "more than \(Self.bufferLimit) messages unread")
            }
        }
    }

    /// Sends a message of `channel`; call it on ``eventLoop``. While the channel's
    /// subscription is pending it is held back; a presence change the client's member list already reflects is dropped, so a
    /// member is announced exactly once however the daemons' messages interleave.
    func deliver(_ text: ByteBuffer, on channel: String, presence: PresenceChange?) {
        state.withLockedValue {
            if $0.pending[channel] != nil {
                $0.pending[channel]?.append((text, presence))
            } else if Self.admit(presence, into: &$0.members[channel]) {
                write(text, &$0)
            }
        }
    }

    /// Holds back `channel`'s messages until ``completeSubscription(_:with:members:)``.
    func beginSubscription(_ channel: String) {
        state.withLockedValue { $0.everSubscribed = true }
        sink.perform { self.state.withLockedValue { $0.pending[channel] = $0.pending[channel] ?? [] } }
    }

    /// Whether ``beginSubscription(_:)`` was ever called.
    var everSubscribed: Bool { state.withLockedValue(\.everSubscribed) }

    /// Records that a presence subscription is being made.
    func beginPresence() { state.withLockedValue { $0.everJoinedPresence = true } }

    /// Whether ``beginPresence()`` was ever called.
    var everJoinedPresence: Bool { state.withLockedValue(\.everJoinedPresence) }

    /// Sends `succeeded`, then what arrived meanwhile, filtered by `members` (presence only).
    func completeSubscription(_ channel: String, with succeeded: String, members: Set<String>?) {
        sink.perform {
            self.state.withLockedValue {
                let held = $0.pending.removeValue(forKey: channel) ?? []
                $0.members[channel] = members
                self.write(ByteBuffer(string: succeeded), &$0)
                for item in held where Self.admit(item.presence, into: &$0.members[channel]) { self.write(item.text, &$0) }
            }
        }
    }

    /// Drops what was held back for a subscription that failed.
    func abandonSubscription(_ channel: String) {
        sink.perform { self.state.withLockedValue { _ = $0.pending.removeValue(forKey: channel) } }
    }

    private static func admit(_ change: PresenceChange?, into members: inout Set<String>?) -> Bool {
        guard let change, members != nil else { return true }
        switch change {
        case .added(let user): return members?.insert(user).inserted ?? true
        case .removed(let user): return members?.remove(user) != nil
        }
    }

    /// Sends a close frame with `code` (once).
    func close(_ code: PusherErrorCode, reason: String) {
        state.withLockedValue {
            guard !$0.closed else { return }
            $0.closed = true
            sink.close(code, reason: reason)
        }
    }

    /// The client sent something: it is alive.
    func touch(_ now: ContinuousClock.Instant = .now) {
        state.withLockedValue {
            $0.lastActivity = now
            $0.pingSentAt = nil
        }
    }

    /// Whether another client event fits in the per-second budget.
    func admitClientEvent(perSecond limit: Int, now: ContinuousClock.Instant = .now) -> Bool {
        state.withLockedValue { $0.events.admit(limit, now: now) }
    }

    /// Whether another message from the client fits in the per-second budget.
    func admitMessage(perSecond limit: Int, now: ContinuousClock.Instant = .now) -> Bool {
        state.withLockedValue { $0.messages.admit(limit, now: now) }
    }

    /// Whether another `pusher:subscribe` fits in the per-second budget.
    func admitSubscription(perSecond limit: Int, now: ContinuousClock.Instant = .now) -> Bool {
        state.withLockedValue { $0.subscribes.admit(limit, now: now) }
    }

    /// How many channels the connection is subscribed to (a session handles one subscription
    /// at a time, so none is half-way when the next is asked for).
    var channelCount: Int { state.withLockedValue(\.channels.count) }

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
