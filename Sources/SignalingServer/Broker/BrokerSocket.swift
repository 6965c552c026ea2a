import CallDomain
import HummingbirdWebSocket
import NIOConcurrencyHelpers
import NIOCore
import NIOWebSocket

/// Where a broker socket's frames go: in the daemon, straight into the client's NIO channel;
/// in unit tests, a recorder.
protocol PeerSink: Sendable {
    /// Queues a text frame; false when the client is not reading fast enough.
    func send(_ text: String) -> Bool
    /// Sends a close frame with `code` and ends the connection.
    func close(code: UInt16, reason: String)
}

/// A broker socket's frames written into its NIO channel; closing runs Hummingbird's close
/// handshake.
struct PeerChannelSink: PeerSink {
    let channel: any Channel
    let outbound: WebSocketOutboundWriter

    func send(_ text: String) -> Bool {
        let writable = channel.isWritable
        channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(string: text)), promise: nil)
        return writable
    }

    func close(code: UInt16, reason: String) {
        let outbound = outbound
        Task { try? await outbound.close(.unknown(code), reason: reason) }
    }
}

/// One connected peer: its binding, token, and the bookkeeping behind heartbeats, the
/// message budget and a client that stops reading.
final class BrokerSocket: Sendable {
    /// Frames sent in a row while the client was not reading, before it is closed.
    static let unreadLimit = 1_000

    let peer: BrokerPeer
    let token: String
    /// The client's address (behind a trusted proxy, the forwarded one); nil when unknown.
    let address: String?
    private let sink: any PeerSink
    private let state: NIOLockedValueBox<State>

    private struct State {
        var lastHeartbeat: ContinuousClock.Instant
        var messages: SecondWindow
        var unread = 0
        var closing: (code: UInt16, reason: String)?
    }

    init(peer: BrokerPeer, token: String, address: String?, sink: any PeerSink, now: ContinuousClock.Instant = .now) {
        self.peer = peer
        self.token = token
        self.address = address
        self.sink = sink
        state = NIOLockedValueBox(State(lastHeartbeat: now, messages: SecondWindow(now)))
    }

    /// Sends a frame, unless closed; a client that has not read ``unreadLimit`` frames is closed.
    func send(_ text: String) {
        let overflow = state.withLockedValue { state -> Bool in
            guard state.closing == nil else { return false }
            state.unread = sink.send(text) ? 0 : state.unread + 1
            return state.unread >= Self.unreadLimit
        }
        if overflow { close(code: 1008, reason: "not reading its messages") }
    }

    /// Sends a close frame (once).
    func close(code: UInt16, reason: String) {
        let first = state.withLockedValue { state -> Bool in
            guard state.closing == nil else { return false }
            state.closing = (code, reason)
            return true
        }
        if first { sink.close(code: code, reason: reason) }
    }

    /// The code and reason of the first ``close(code:reason:)``; nil while open.
    var closing: (code: UInt16, reason: String)? { state.withLockedValue(\.closing) }

    /// The client sent HEARTBEAT.
    func heartbeat(now: ContinuousClock.Instant = .now) { state.withLockedValue { $0.lastHeartbeat = now } }

    /// Whether a HEARTBEAT came within `timeout` of `now`.
    func isAlive(timeout: Duration, now: ContinuousClock.Instant = .now) -> Bool {
        state.withLockedValue { now - $0.lastHeartbeat < timeout }
    }

    /// Whether another message fits in the one-second budget of `limit`.
    func admit(perSecond limit: Int, now: ContinuousClock.Instant = .now) -> Bool {
        state.withLockedValue { $0.messages.admit(limit, now: now) }
    }
}
