import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import Prometheus

/// The daemon's routes: health and metrics without authentication, the call lifecycle API
/// under `/appointments`, `/call-config` and `/broadcasting/auth` behind one
/// ``BearerAuthentication``; the Pusher HTTP API under `/apps`; the PeerJS broker's HTTP side
/// under its path; the signed recording webhook at `/webhooks/recording`; every answer with its
/// `X-Request-Id` and every error as a JSON body.
public func buildRouter(
    configuration: SignalingConfiguration, dependencies: SignalingDependencies, registry: PrometheusCollectorRegistry
) -> Router<CallRequestContext> {
    let router = Router(context: CallRequestContext.self)
    let bearer = BearerAuthentication(verifier: configuration.tokens,
                                      revocation: TokenRevocation(pool: dependencies.pool, now: dependencies.now),
                                      now: dependencies.now)
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: APIErrorMiddleware())
    HealthRoutes(dependencies: dependencies, registry: registry).add(to: router)
    let appointments = router.group("appointments")
        .add(middleware: bearer)
    CallRoutes(configuration: configuration, dependencies: dependencies).add(to: appointments)
    let callConfig = router.group("call-config")
        .add(middleware: bearer)
    CallConfigRoutes(configuration: configuration, dependencies: dependencies).add(to: callConfig)
    let broadcasting = router.group("broadcasting")
        .add(middleware: ChannelAuthRefusalLog(limit: configuration.maximumBodyBytes))
        .add(middleware: bearer)
    ChannelAuthRoutes(app: configuration.apps.primary, pool: dependencies.pool, rules: dependencies.channelRules,
                      maximumBodyBytes: configuration.maximumBodyBytes)
        .add(to: broadcasting)
    BrokerRoutes().add(to: router.group(RouterPath(configuration.broker.path)))
    RecordingWebhookRoutes(configuration: configuration, dependencies: dependencies).add(to: router.group("webhooks"))
    PusherAPIRoutes(apps: configuration.apps, settings: configuration.hub, publisher: dependencies.hub,
                    directory: dependencies.hub, now: dependencies.now)
        .add(to: router.group("apps"))
    return router
}

/// The Hummingbird application serving ``buildRouter(configuration:dependencies:registry:)``,
/// the hub's WebSockets at `/app/{key}` and the PeerJS broker's at `{path}/peerjs` on the configured address, with the header and
/// idle timeouts and the request guards of ``GuardedChannel``. Run it in a
/// `ServiceGroup` after ``HubService`` is listed: on SIGTERM the hub closes its WebSockets
/// (4200) first, then the server stops accepting and lets requests in flight finish.
public func buildApplication(
    configuration: SignalingConfiguration, dependencies: SignalingDependencies, registry: PrometheusCollectorRegistry,
    logger: Logger, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let upgrade = HubUpgrade(hub: dependencies.hub)
    let proxies = configuration.hub.trustedProxies
    let broker = BrokerUpgrade(broker: dependencies.broker) { request, channel in
        proxies.clientAddress(peer: channel.remoteAddress?.ipAddress, forwardedFor: request.headerFields[values: .xForwardedFor])
    }
    // validateUTF8: a text frame that is not UTF-8 closes the socket with 1007 (RFC 6455 §8.1).
    let largest = max(configuration.hub.maximumMessageBytes * 2, 32 * 1024, configuration.broker.maximumMessageBytes)
    let frames = WebSocketServerConfiguration(maxFrameSize: largest,
                                              autoPing: .disabled, closeTimeout: .seconds(5), validateUTF8: true)
    // The idle timeout applies to connections that stay HTTP; an upgraded WebSocket leaves it behind.
    let http1 = HTTP1Channel.Configuration(idleTimeout: TimeAmount(configuration.idleTimeout))
    let server = HTTPServerBuilder { responder in
        GuardedChannel(
            base: HTTP1WebSocketUpgradeChannel(responder: responder, configuration: .init(http1: http1, ws: frames)) { request, channel, _ in
                broker.decide(request, channel: channel) ?? upgrade.decide(request, channel: channel)
            },
            headerTimeout: TimeAmount(configuration.headerTimeout),
            upgradeGate: { head, peer in upgrade.pace(head, peer: peer) })
    }
    return Application(
        router: buildRouter(configuration: configuration, dependencies: dependencies, registry: registry),
        server: server,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "callctl"),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger)
}

/// The Prometheus registry the daemon's metrics go to; bootstrap `MetricsSystem` with
/// ``metricsFactory(registry:)`` once per process.
public func metricsFactory(registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
    var factory = PrometheusMetricsFactory(registry: registry)
    factory.nameAndLabelSanitizer = { label, dimensions in
        func clean(_ text: String) -> String { String(text.map { $0.isLetter || $0.isNumber ? $0 : "_" }) }
        return (clean(label), dimensions.map { (clean($0.0), $0.1) })
    }
    return factory
}
