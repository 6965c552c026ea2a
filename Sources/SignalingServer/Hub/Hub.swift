import CallDomain
import CallStore
import Foundation
import Logging
import Metrics
import NIOConcurrencyHelpers
import NIOCore
import Postgres
import PusherProtocol

/// The Pusher-protocol hub of one daemon: its WebSocket connections and their channels.
///
/// Events reach local subscribers directly and other daemons through `NOTIFY callctl_hub`
/// (see ``receiveFanout(_:on:)``). Subscriptions are also written to `hub_subscriptions`, so channel
/// queries and presence member lists are the same on every daemon sharing the database.
public final class Hub: HubPublishing, HubDirectory, Sendable {
    /// This daemon's id in `hub_daemons` and in fanned-out notifications.
    public let daemonID = UUID()
    let pool: PGPool
    let apps: PusherApps
    let settings: HubSettings
    let logger: Logger
    private let registry = NIOLockedValueBox(Registry())
    /// Whether another daemon shares the database; fan-out is skipped while there is none.
    private let peers = NIOLockedValueBox(true)
    /// Sockets that closed but whose subscription rows are still to be removed (the database
    /// write failed); at most one entry per connection this daemon had.
    private let unreleased = NIOLockedValueBox(Set<String>())
    /// The batched writes of subscriptions to channels without members.
    let subscriptions = SubscriptionWriter()
    /// New connections per client address: a burst of twice ``HubSettings/connectionsPerAddress``
    /// (at least 20: a clinic behind one NAT reconnecting after a restart), then 10 a second.
    let connectAttempts: RateLimiter<String>
    private let connectionGauge = Gauge(label: "callctl_hub_connections")
    private let deliveredCounter = Counter(label: "callctl_hub_messages_delivered_total")
    private let observers = NIOLockedValueBox<[@Sendable (HubEvent) -> Void]>([])

    struct ChannelKey: Hashable {
        var appID: String
        var channel: String
    }

    struct Registry {
        var connections: [String: HubConnection] = [:]
        var perApp: [String: Int] = [:]
        var perAddress: [String: Int] = [:]
        var channels: [ChannelKey: [String: HubConnection]] = [:]
        var closing = false
    }

    /// The public part of the external Pusher target this daemon publishes to; nil without one.
    let externalTarget: String?
    /// The channel rules, for public channels that carry private data and for edit locks.
    let channelRules: ChannelRulesCache
    /// What is wrong with the outbox's destinations across daemons (``OutboxDestinations/problems``),
    /// as of the last heartbeat.
    private let destinationProblems = NIOLockedValueBox<[String]>([])

    /// Records the webhook events this daemon's connections decide; nil without webhook URLs.
    let webhooks: WebhookRecorder?

    /// Creates the hub of a daemon; `externalTarget` is what its relay publishes to, if anything;
    /// with `webhooks`, its subscription transactions record webhook events.
    public init(pool: PGPool, apps: PusherApps, settings: HubSettings, logger: Logger, externalTarget: String? = nil,
                channelRules: ChannelRulesCache, webhooks: WebhookSettings? = nil) {
        self.pool = pool
        self.apps = apps
        self.settings = settings
        self.logger = logger
        self.externalTarget = externalTarget
        self.channelRules = channelRules
        self.webhooks = webhooks.map { settings in
            let monitor = WebhookRecordMonitor(logger: logger, maximumPending: settings.maximumPending)
            return WebhookRecorder(routes: settings.routes, maximumPending: settings.maximumPending, observer: monitor.observe)
        }
        let burst = max(20, 2 * settings.connectionsPerAddress)
        connectAttempts = RateLimiter(limit: RateLimit(burst: burst, period: Double(burst) / 10) ?? .standard)
        // The limit next to the count, so an alert can compare them (deploy/prometheus/callctl-alerts.yml).
        Gauge(label: "callctl_hub_connections_limit").record(settings.connectionLimit)
    }

    /// Disagreements between daemons on where the outbox goes, as of the last heartbeat.
    public var outboxProblems: [String] { destinationProblems.withLockedValue { $0 } }

    /// A daemon not seen for this long is considered dead and its subscriptions removed.
    static let staleAfterSeconds = 20

    /// Records this daemon as alive in `hub_daemons` and announces it on `callctl_hub` —
    /// before it accepts connections, so no other daemon takes its first subscriptions for a
    /// dead daemon's or skips fanning out to it — and clears the subscriptions of daemons
    /// gone silent, announcing the presence departures. Called again every few seconds.
    public func register() async throws {
        let rules = await channelRules.current()
        let (departures, others, destinations) = try await pool.withConnection { [daemonID, externalTarget] in
            let store = self.store(on: $0, rules: rules)
            let departures = try store.heartbeat(daemon: daemonID, staleAfter: Self.staleAfterSeconds, externalTarget: externalTarget)
            try $0.notify(HubFanout.notifyChannel, payload: HubFanout(origin: daemonID).text)
            return (departures, try store.peers(of: daemonID), try OutboxDestinationStore.read(on: $0))
        }
        peers.withLockedValue { $0 = others > 0 }
        let problems = destinations.problems
        let previous = destinationProblems.withLockedValue { current in
            defer { current = problems }
            return current
        }
        for problem in problems where !previous.contains(problem) {
            logger.warning("outbox destinations disagree", metadata: ["problem": "\(problem)"])
        }
        await announce(departures, reason: .daemonGone)
        await releaseUnreleased()
    }

    /// Another daemon spoke on `callctl_hub` (it started, or fanned out an event).
    func heardPeer() { peers.withLockedValue { $0 = true } }

    /// Adds a new connection, or names the error code that refuses it.
    func admit(_ connection: HubConnection) -> PusherErrorCode? {
        let refusal: PusherErrorCode? = registry.withLockedValue {
            if $0.closing { return .reconnectImmediately }
            let count = $0.perApp[connection.app.id, default: 0]
            guard count < settings.connectionLimit else { return .overConnectionQuota }
            if let address = connection.clientAddress {
                let fromAddress = $0.perAddress[address, default: 0]
                guard fromAddress < settings.connectionsPerAddress else { return .overConnectionQuota }
                $0.perAddress[address] = fromAddress + 1
            }
            $0.perApp[connection.app.id] = count + 1
            $0.connections[connection.socketID.rawValue] = connection
            return nil
        }
        if refusal == nil { connectionGauge.record(connectionCount) }
        return refusal
    }

    /// Ends a connection however it ended (clean close, reset, pong timeout, protocol error):
    /// it leaves the registry, then its subscription rows are removed and its presence
    /// departures announced. When that database write fails, the socket is kept in
    /// ``unreleased`` and retried with every heartbeat, so no row outlives its connection.
    func disconnect(_ connection: HubConnection) async {
        remove(connection)
        // A connection that never subscribed left no rows; at shutdown the hub removes all rows at once.
        guard connection.everSubscribed, !isClosing else { return }
        subscriptions.enqueue(.disconnect(socket: connection.socketID.rawValue))
        if connection.everJoinedPresence { await release(socket: connection.socketID.rawValue) }
    }

    /// Writes the batched subscription changes now (channel queries do, to read their own writes).
    func flushSubscriptions() async {
        await subscriptions.flush(daemon: daemonID, pool: pool, webhooks: webhooks, logger: logger)
    }

    /// The shared store on `connection`, recording webhook events when URLs are configured and
    /// deciding the holders of the edit locks `rules` declare.
    func store(on connection: PGConnection, rules: ChannelRuleSet) -> HubStore {
        HubStore(connection: connection, webhooks: webhooks, rules: rules)
    }

    /// Removes the presence rows of a socket that is gone and announces its departures.
    private func release(socket: String) async {
        let rules = await channelRules.current()
        do {
            let departures = try await pool.withConnection { [daemonID] in
                try self.store(on: $0, rules: rules).disconnect(daemon: daemonID, socket: socket)
            }
            unreleased.withLockedValue { _ = $0.remove(socket) }
            await announce(departures, reason: .disconnected)
        } catch {
            unreleased.withLockedValue { _ = $0.insert(socket) }
            logger.warning("a closed connection's subscriptions were not removed; retrying with the next heartbeat",
                           metadata: ["socket_id": "\(socket)", "error": "\(error)"])
        }
    }

    /// Retries the sockets whose rows could not be removed when they closed.
    func releaseUnreleased() async {
        for socket in unreleased.withLockedValue({ Array($0) }) { await release(socket: socket) }
    }

    /// Removes a connection from the registry and its channels.
    func remove(_ connection: HubConnection) {
        registry.withLockedValue { registry in
            guard registry.connections.removeValue(forKey: connection.socketID.rawValue) != nil else { return }
            registry.perApp[connection.app.id, default: 1] -= 1
            if let address = connection.clientAddress {
                let left = registry.perAddress[address, default: 1] - 1
                registry.perAddress[address] = left > 0 ? left : nil
            }
            for channel in connection.channels {
                registry.channels[ChannelKey(appID: connection.app.id, channel: channel)]?[connection.socketID.rawValue] = nil
            }
        }
        connectionGauge.record(connectionCount)
    }

    /// Starts delivering `channel`'s events to `connection`.
    func attach(_ connection: HubConnection, to channel: String) {
        registry.withLockedValue {
            $0.channels[ChannelKey(appID: connection.app.id, channel: channel), default: [:]][connection.socketID.rawValue] = connection
        }
    }

    /// Stops delivering `channel`'s events to `connection`.
    func detach(_ connection: HubConnection, from channel: String) {
        registry.withLockedValue {
            let key = ChannelKey(appID: connection.app.id, channel: channel)
            $0.channels[key]?[connection.socketID.rawValue] = nil
            if $0.channels[key]?.isEmpty == true { $0.channels[key] = nil }
        }
    }

    /// True once ``closeAll(_:reason:)`` ran (graceful shutdown).
    var isClosing: Bool { registry.withLockedValue(\.closing) }

    /// Open connections on this daemon.
    public var connectionCount: Int { registry.withLockedValue(\.connections.count) }

    /// Delivers an event another daemon fanned out (a `callctl_hub` payload; the body read from
    /// `hub_messages` on `connection` when it was too large to send inline). While the listener's
    /// connection is down, other daemons' events do not reach this daemon's clients — the same
    /// promise Pusher makes — while outbox events are safe in the database and relayed once it is back.
    func receiveFanout(_ payload: String, on connection: PGConnection) {
        guard var fanout = HubFanout(text: payload), fanout.origin != daemonID else { return }
        heardPeer()
        if let id = fanout.stored {
            guard let body = try? HubStore(connection: connection).message(id: id), let full = HubFanout(text: body) else { return }
            fanout = full
        }
        if let event = fanout.hubEvent { deliverLocally([event]) }
    }

    /// Calls `body` with every event this daemon delivers, its own and other daemons' (the
    /// PeerJS broker watches for ended calls and new peer ids).
    public func observe(_ body: @escaping @Sendable (HubEvent) -> Void) {
        observers.withLockedValue { $0.append(body) }
    }

    /// Delivers events to this daemon's subscribers (and its observers).
    public func deliverLocally(_ events: [HubEvent]) {
        let watchers = observers.withLockedValue { $0 }
        for event in events {
            for watcher in watchers { watcher(event) }
            let targets = registry.withLockedValue { $0.channels[ChannelKey(appID: event.appID, channel: event.channel)].map { Array($0.values) } }
            guard let targets, !targets.isEmpty else { continue }
            let text = ByteBuffer(string: Self.wireText(event))
            let presence = Self.presenceChange(event)
            var loops: [ObjectIdentifier: (loop: any EventLoop, connections: [HubConnection])] = [:]
            var delivered = 0
            for connection in targets where connection.socketID.rawValue != event.excludedSocket {
                delivered += 1
                guard let loop = connection.eventLoop else {
                    connection.deliver(text, on: event.channel, presence: presence)
                    continue
                }
                loops[ObjectIdentifier(loop), default: (loop, [])].connections.append(connection)
            }
            for (loop, connections) in loops.values {
                loop.execute { for connection in connections { connection.deliver(text, on: event.channel, presence: presence) } }
            }
            deliveredCounter.increment(by: delivered)
        }
    }

    /// The membership change a `pusher_internal:member_*` event carries.
    static func presenceChange(_ event: HubEvent) -> PresenceChange? {
        let added = event.event == "pusher_internal:member_added"
        guard added || event.event == "pusher_internal:member_removed",
              let user = PusherJSON(parsing: Array(event.data.utf8))?["user_id"]?.stringValue else { return nil }
        return added ? .added(user) : .removed(user)
    }

    /// The frame a subscriber receives for `event`.
    static func wireText(_ event: HubEvent) -> String {
        var members: [String: PusherJSON] = [
            "event": .string(event.event), "channel": .string(event.channel), "data": .string(event.data),
        ]
        if let user = event.userID { members["user_id"] = .string(user) }
        return PusherJSON.object(members).jsonString
    }

    /// Sends nothing while no other daemon is registered: a daemon announces itself on
    /// `callctl_hub` before it listens, which every other daemon hears at once.
    public func fanOut(_ events: [HubEvent], on connection: PGConnection) throws {
        guard peers.withLockedValue({ $0 }) else { return }
        for event in events {
            var payload = HubFanout(origin: daemonID, event: event).text
            if payload.utf8.count > HubFanout.inlineLimit {
                payload = HubFanout(origin: daemonID, stored: try HubStore(connection: connection).storeMessage(payload)).text
            }
            try connection.notify(HubFanout.notifyChannel, payload: payload)
        }
    }

    public func publish(_ events: [HubEvent]) async throws {
        guard !events.isEmpty else { return }
        deliverLocally(events)
        try await pool.withConnection { try self.fanOut(events, on: $0) }
    }

    public func channels(appID: String, prefix: String?) async throws -> [HubChannelInfo] {
        await flushSubscriptions()
        return try await pool.withConnection { try HubStore(connection: $0).occupancy(appID: appID, prefix: prefix) }.map(Self.info)
    }

    public func channel(appID: String, name: String) async throws -> HubChannelInfo? {
        await flushSubscriptions()
        return try await pool.withConnection { try HubStore(connection: $0).occupancy(appID: appID, channel: name) }.map(Self.info)
    }

    public func users(appID: String, channel: String) async throws -> [String] {
        try await pool.withConnection { try HubStore(connection: $0).members(appID: appID, channel: channel) }.map(\.userID)
    }

    private static func info(_ occupancy: ChannelOccupancy) -> HubChannelInfo {
        HubChannelInfo(name: occupancy.channel, subscriptionCount: occupancy.subscriptions,
                       userCount: occupancy.channel.hasPrefix("presence-") ? occupancy.users : nil)
    }

    /// Closes every connection with `code` and refuses new ones (graceful shutdown: 4200).
    func closeAll(_ code: PusherErrorCode, reason: String) {
        let all = registry.withLockedValue {
            $0.closing = true
            return Array($0.connections.values)
        }
        for connection in all { connection.close(code, reason: reason) }
    }

    /// The server's `pusher:ping`, encoded once.
    static let ping = PusherMessage(event: "pusher:ping", data: .object([:])).encoded()

    /// Pings silent clients and closes those that did not answer a ping (4201).
    func sweep() {
        let all = registry.withLockedValue { Array($0.connections.values) }
        for connection in all {
            switch connection.liveness(activity: .seconds(settings.activityTimeout), pong: .seconds(settings.pongTimeout)) {
            case .alive: break
            case .ping: connection.send(Self.ping)
            case .dead: connection.close(.pongNotReceived, reason: "no pong within \(settings.pongTimeout) s")
            }
        }
    }

    /// Announces presence departures (`member_removed`) to every daemon; a departing edit-lock
    /// holder's also brings `LockReleased` with `reason`, then `LockAcquired` by the next holder.
    func announce(_ departures: [PresenceDeparture], reason: EditLock.Release) async {
        guard !departures.isEmpty else { return }
        let events = departures.flatMap {
            [HubEvent(appID: $0.appID, channel: $0.channel, event: "pusher_internal:member_removed",
                      data: PusherJSON.object(["user_id": .string($0.userID)]).jsonString)]
                + EditLock.events(after: $0, reason: reason)
        }
        do {
            try await publish(events)
        } catch {
            logger.warning("presence departure not fanned out", metadata: ["error": "\(error)"])
        }
    }
}
