import CallDomain
import CallStore
import Foundation
import Logging
import Metrics
import NIOConcurrencyHelpers
import Postgres
import PusherProtocol
import TimeUnits

/// The PeerJS broker (docs/design.md, "PeerJS broker"): a PeerServer that admits only peer ids
/// callctl issued (or the diagnostic pairs of `diagnose peerjs`), with their token, and relays OFFER, ANSWER, CANDIDATE, LEAVE and EXPIRE only
/// between the two current peers of one open call (``BrokerRelayRule``).
///
/// Several daemons share the work through PostgreSQL: a message for a peer that is not
/// connected here is stored in `broker_messages` and announced on `callctl_broker`; the daemon
/// the peer is connected to (or connects to within ``BrokerSettings/expireTimeout``) claims and
/// delivers it, and otherwise the sender gets EXPIRE (``BrokerMessageStore``). A peer silent past
/// ``BrokerSettings/aliveTimeout`` is disconnected; when the call ends its peers get LEAVE and
/// are closed, and when a participant is issued a new id (a reload) the old id's socket is
/// closed. Joins and leaves go to the audit trail.
public final class PeerBroker: Sendable {
    let pool: PGPool
    let apps: PusherApps
    let settings: BrokerSettings
    let logger: Logger
    /// This daemon, in `callctl_broker` notices.
    let daemonID = UUID()
    private let now: @Sendable () -> Date
    private let state = NIOLockedValueBox(State())
    private let peersGauge = Gauge(label: "callctl_broker_peers")
    private let relayed = Counter(label: "callctl_broker_messages_relayed_total")
    private let expired = Counter(label: "callctl_broker_messages_expired_total")

    private struct State {
        var sockets: [String: BrokerSocket] = [:]
        /// Bindings read from the database, by peer id; entries of a call go when it changes.
        var bindings: [String: BrokerPeer] = [:]
    }

    /// What happens to a new socket.
    enum Admission {
        case admitted(BrokerSocket)
        /// The frame to send, then the close code and reason.
        case refused(String, code: UInt16, reason: String)
    }

    /// Creates the broker.
    public init(pool: PGPool, apps: PusherApps, settings: BrokerSettings, logger: Logger,
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.pool = pool
        self.apps = apps
        self.settings = settings
        self.logger = logger
        self.now = now
        Gauge(label: "callctl_broker_peers_limit").record(settings.maximumPeers)
    }

    /// Peers connected to this daemon.
    public var peerCount: Int { state.withLockedValue(\.sockets.count) }

    /// Checks a new socket's `key`, `id` and `token` (in the stock server's order, then
    /// callctl's binding) and registers it; the admitted socket has been sent OPEN and what
    /// waited for it, and a socket of the same id on another daemon is told to close.
    func admit(key: String?, id: String?, token: String?, address: String?, sink: any PeerSink) async -> Admission {
        guard let key, let id, let token, !key.isEmpty, !id.isEmpty, !token.isEmpty else {
            return refusal("No id, token, or key supplied to websocket server", "missing_parameters")
        }
        guard let app = apps.app(key: key) else { return refusal("Invalid key provided", "invalid_key") }
        // Admission reads the binding afresh (not the relay's cache): a superseded id or an
        // ended call must not get in on a binding cached before the change.
        let peer: BrokerPeer?
        do {
            if let diagnostic = BrokerPeer.diagnostic(id) {
                peer = diagnostic
            } else {
                peer = try await pool.withConnection { try BrokerPeerStore.binding(of: id, on: $0) }
            }
        } catch {
            logger.error("broker could not read a peer binding", metadata: ["error": "\(error)"])
            return .refused(PeerJSMessage.error("The broker cannot reach its database; reconnect after a back-off"),
                            code: 1011, reason: "database unavailable")
        }
        guard let peer else {
            return refusal("Peer id \(id.prefix(BrokerPeer.maximumIdLength)) was not issued by callctl; "
                           + "ask POST /appointments/{id}/call/peer for one", "not_issued")
        }
        guard peer.callOpen else { return refusal("The call of peer id \(id) has ended", "call_ended") }
        guard peer.current else {
            return refusal("Peer id \(id) was replaced by a newer one (the page was reloaded); connect with the newest", "superseded")
        }
        if let problem = PeerToken.check(token, for: peer.tokenBinding, app: app, now: now()) {
            return refusal(problem.message, problem == .expired ? "token_expired" : "invalid_token")
        }
        let socket = BrokerSocket(peer: peer, token: token, address: address, sink: sink)
        enum Outcome { case taken, full, registered(replaced: BrokerSocket?) }
        let outcome = state.withLockedValue { state -> Outcome in
            let existing = state.sockets[id]
            if let existing, existing.token != token { return .taken }
            if existing == nil, state.sockets.count >= settings.maximumPeers { return .full }
            state.sockets[id] = socket
            state.bindings[id] = peer
            return .registered(replaced: existing)
        }
        switch outcome {
        case .taken:
            Self.refusedCounter("id_taken").increment()
            return .refused(PeerJSMessage.idTaken, code: 1008, reason: "ID is taken")
        case .full:
            return refusal("Server has reached its concurrent user limit", "limit")
        case .registered(let replaced):
            // The same id and token again: the client reconnected; its old socket goes.
            replaced?.close(code: 1000, reason: "replaced by a reconnect")
            peersGauge.record(peerCount)
            socket.send(PeerJSMessage.open)
            // Registered first, so what is stored from now on is claimed through the notice.
            let waiting = (try? await pool.withConnection { [daemonID] connection -> [String] in
                try BrokerMessageStore.announce(id, connectedTo: daemonID, on: connection)
                return try BrokerMessageStore.claimAll(dst: id, on: connection)
            }) ?? []
            for text in waiting { socket.send(text) }
            relayed.increment(by: waiting.count)
            if replaced == nil { audit(.brokerJoin, peer, note: nil, address: address) }
            return .admitted(socket)
        }
    }

    private func refusal(_ message: String, _ reason: String) -> Admission {
        Self.refusedCounter(reason).increment()
        return .refused(PeerJSMessage.error(message), code: 1008, reason: String(message.prefix(100)))
    }

    private static func refusedCounter(_ reason: String) -> Counter {
        Counter(label: "callctl_broker_refusals_total", dimensions: [("reason", reason)])
    }

    /// Handles one frame from `socket`.
    func receive(_ text: String, from socket: BrokerSocket) async {
        guard socket.admit(perSecond: settings.messagesPerSecond) else {
            return refuse(socket, "Too many messages: more than \(settings.messagesPerSecond) a second", "flood")
        }
        let message: PeerJSMessage.Incoming
        switch PeerJSMessage.parse(text) {
        case .success(let parsed): message = parsed
        case .failure(let problem): return refuse(socket, problem.message, "invalid_message")
        }
        guard message.kind != .heartbeat else { return socket.heartbeat() }
        guard let dst = message.dst, !dst.isEmpty else {
            // LEAVE without dst: the peer signs off (the stock server's meaning).
            if message.kind == .leave { disconnect(socket, why: "left") }
            return
        }
        let destination: BrokerPeer?
        do {
            destination = try await binding(of: dst)
        } catch {
            logger.error("broker could not read a peer binding", metadata: ["error": "\(error)"])
            return
        }
        switch BrokerRelayRule.verdict(from: socket.peer, dst: dst, destination: destination) {
        case .refuse(let why):
            refuse(socket, why, "wrong_destination")
        case .expire:
            expired.increment()
            socket.send(PeerJSMessage.encode(.expire, src: dst, dst: socket.peer.peerId))
        case .relay:
            await deliver(PeerJSMessage.encode(message.kind, src: socket.peer.peerId, dst: dst, payload: message.payload),
                          to: dst, from: socket.peer.peerId, kind: message.kind)
        }
    }

    /// Sends `text` to `dst` when it is connected here; otherwise stores it for the daemon
    /// `dst` is, or will be, connected to.
    private func deliver(_ text: String, to dst: String, from src: String, kind: PeerJSMessage.Kind) async {
        if let target = state.withLockedValue({ $0.sockets[dst] }) {
            target.send(text)
            relayed.increment()
            return
        }
        do {
            try await pool.withConnection { try BrokerMessageStore.store(dst: dst, src: src, type: kind.rawValue, body: text, on: $0) }
        } catch {
            logger.error("broker could not store a message for another daemon", metadata: ["error": "\(error)"])
            if kind != .expire { state.withLockedValue { $0.sockets[src] }?.send(PeerJSMessage.encode(.expire, src: dst, dst: src)) }
        }
    }

    /// Handles a `callctl_broker` notice (on the listener's thread and connection): claims and
    /// delivers a message for a peer connected here; closes a socket whose id connected to
    /// another daemon since.
    func receiveNotice(_ payload: String, on connection: PGConnection) {
        switch BrokerMessageStore.Notice(payload: payload) {
        case .message(let id, let dst)?:
            guard let target = state.withLockedValue({ $0.sockets[dst] }),
                  let text = try? BrokerMessageStore.claim(id: id, on: connection) else { return }
            target.send(text)
            relayed.increment()
        case .connected(let daemon, let peerId)? where daemon != daemonID:
            guard let socket = state.withLockedValue({ $0.sockets[peerId] }) else { return }
            disconnect(socket, why: "reconnected to another daemon")
        default:
            break
        }
    }

    /// After the listener's connection was re-opened: claims what waits for this daemon's peers.
    func catchUp(on connection: PGConnection) {
        for socket in state.withLockedValue({ Array($0.sockets.values) }) {
            for text in (try? BrokerMessageStore.claimAll(dst: socket.peer.peerId, on: connection)) ?? [] { socket.send(text) }
        }
    }

    /// The binding of `peerId`: a connected socket's, a cached one, or the database's.
    private func binding(of peerId: String) async throws -> BrokerPeer? {
        if let diagnostic = BrokerPeer.diagnostic(peerId) { return diagnostic }
        if let known = state.withLockedValue({ $0.sockets[peerId]?.peer ?? $0.bindings[peerId] }) { return known }
        guard let read = try await pool.withConnection({ try BrokerPeerStore.binding(of: peerId, on: $0) }) else { return nil }
        state.withLockedValue {
            // Bounded: a full cache starts over (bindings are re-read on demand).
            if $0.bindings.count >= 4 * settings.maximumPeers { $0.bindings.removeAll() }
            $0.bindings[peerId] = read
        }
        return read
    }

    /// Sends ERROR and closes.
    private func refuse(_ socket: BrokerSocket, _ message: String, _ reason: String) {
        Self.refusedCounter(reason).increment()
        socket.send(PeerJSMessage.error(message))
        socket.close(code: 1008, reason: String(message.prefix(100)))
        disconnect(socket, why: reason)
    }

    /// Forgets `socket` (when it is still the one registered for its id) and records the leave.
    func disconnect(_ socket: BrokerSocket, why: String) {
        let removed = state.withLockedValue { state -> Bool in
            guard state.sockets[socket.peer.peerId] === socket else { return false }
            state.sockets[socket.peer.peerId] = nil
            return true
        }
        guard removed else { return }
        socket.close(code: 1000, reason: why)
        peersGauge.record(peerCount)
        audit(.brokerLeave, socket.peer, note: why, address: socket.address)
    }

    /// Disconnects peers silent past the alive timeout; removes messages nobody claimed within
    /// the expire timeout and sends their senders EXPIRE (once per sender and destination; the
    /// daemons share this, and each stored message is removed by one of them).
    func sweep(now instant: ContinuousClock.Instant = .now) async {
        let silent = state.withLockedValue { $0.sockets.values.filter { !$0.isAlive(timeout: settings.aliveTimeout, now: instant) } }
        for socket in silent { disconnect(socket, why: "no heartbeat") }
        let age = settings.expireTimeout.seconds
        let stale: [(src: String, dst: String, type: String)]
        do {
            stale = try await pool.withConnection { try BrokerMessageStore.expire(olderThan: age, on: $0) }
        } catch {
            return logger.warning("broker could not expire stored messages", metadata: ["error": "\(error)"])
        }
        var told = Set<String>()
        for message in stale where ![PeerJSMessage.Kind.leave, .expire].contains(where: { $0.rawValue == message.type }) {
            expired.increment()
            guard told.insert(message.src + " " + message.dst).inserted else { continue }
            await deliver(PeerJSMessage.encode(.expire, src: message.dst, dst: message.src), to: message.src, from: message.dst, kind: .expire)
        }
    }

    /// Reacts to the events every daemon's hub sees: a call that ended (ended, cancelled or
    /// declined) closes its peers with LEAVE; a participant's new peer id closes the socket of the one it replaced.
    public func observe(_ event: HubEvent) {
        let ended = [CallEventKind.ended, .cancelled, .declined].contains { event.event.hasSuffix("\\" + $0.rawValue) }
        let changed = event.event.hasSuffix("\\" + CallEventKind.peerChanged.rawValue)
        guard ended || changed, let data = PusherJSON(parsing: Array(event.data.utf8)),
              let callId = data["callId"]?.stringValue.flatMap(UUID.init(uuidString:)) else { return }
        let sockets = state.withLockedValue { state -> [BrokerSocket] in
            state.bindings = state.bindings.filter { $0.value.callId != callId }
            return state.sockets.values.filter { $0.peer.callId == callId }
        }
        if changed {
            guard case .integer(let userId)? = data["by"]?["id"], let newId = data["peerId"]?.stringValue else { return }
            for socket in sockets where socket.peer.userId == Int64(userId) && socket.peer.peerId != newId {
                socket.send(PeerJSMessage.error("Peer id \(socket.peer.peerId) was replaced by a newer one (the page was reloaded)"))
                disconnect(socket, why: "superseded")
            }
            return
        }
        guard !sockets.isEmpty else { return }
        Task {
            let ids = (try? await pool.withConnection { try BrokerPeerStore.currentPeers(of: callId, on: $0) }) ?? []
            for socket in sockets {
                for other in ids where other != socket.peer.peerId {
                    socket.send(PeerJSMessage.encode(.leave, src: other, dst: socket.peer.peerId))
                }
                disconnect(socket, why: "call ended")
            }
        }
    }

    /// Closes every socket (graceful shutdown): the clients reconnect to another daemon.
    func closeAll() {
        for socket in state.withLockedValue({ Array($0.sockets.values) }) { disconnect(socket, why: "server shutting down") }
    }

    private func audit(_ type: AuditEventType, _ peer: BrokerPeer, note: String?, address: String?) {
        guard !peer.isDiagnostic else { return }
        let now = now()
        Task { [pool, logger] in
            do {
                try await pool.withConnection { try BrokerPeerStore.record(type, of: peer, note: note, ip: address, now: now, on: $0) }
            } catch {
                logger.warning("broker audit row not written", metadata: ["type": "\(type.rawValue)", "error": "\(error)"])
            }
        }
    }
}
