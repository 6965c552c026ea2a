import CallDomain
import Foundation
import NIOHTTP1
import HTTPTypes
import HummingbirdWebSocket
import Logging
import NIOCore
import PusherProtocol

/// Decides whether an HTTP request becomes a hub WebSocket: `GET /app/{key}` upgrades; any
/// other path stays HTTP. An unknown key, a disallowed `Origin` or an unsupported protocol
/// version still upgrades, then gets the protocol's error (4001, 4009, 4007) and a close
/// frame, as Pusher clients expect. Too many new connections from one address (more than
/// twice ``HubSettings/connectionsPerAddress`` at once, then 10 a second) are refused earlier,
/// with `429` before any WebSocket work (``pace(_:peer:)``, called by ``RequestHeadGuard``).
struct HubUpgrade: Sendable {
    let hub: Hub

    func decide(_ request: HTTPRequest, channel: any Channel) -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>> {
        guard let target = request.path, target.hasPrefix("/app/") else { return .dontUpgrade }
        let components = URLComponents(string: target)
        let key = String((components?.path ?? target).dropFirst("/app/".count))
        guard let app = hub.apps.app(key: key) else {
            return .upgrade([:], Self.refusal(.appDoesNotExist, "Application does not exist: the server does not know app key \(key.prefix(64))"))
        }
        if !hub.settings.allowedOrigins.isEmpty {
            let origin = request.headerFields[.origin] ?? ""
            guard hub.settings.allowedOrigins.contains(origin) else {
                return .upgrade([:], Self.refusal(.connectionUnauthorized, "Origin \(origin.prefix(128)) is not allowed to connect"))
            }
        }
        if let version = components?.queryItems?.first(where: { $0.name == "protocol" })?.value {
            guard let number = Int(version) else { return .upgrade([:], Self.refusal(.invalidVersionStringFormat, "Invalid version string format")) }
            guard (5...PusherMessage.protocolVersion).contains(number) else {
                return .upgrade([:], Self.refusal(.unsupportedProtocolVersion, "Unsupported protocol version \(number); this server speaks 5–7"))
            }
        }
        let hub = hub
        let address = hub.settings.trustedProxies.clientAddress(
            peer: channel.remoteAddress?.ipAddress, forwardedFor: request.headerFields[values: .xForwardedFor])
        return .upgrade([:]) { inbound, outbound, context in
            let connection = HubConnection(socketID: .random(), app: app, sink: ChannelSink(channel: channel, outbound: outbound),
                                           clientAddress: address)
            try await PusherConversation(hub: hub, connection: connection, logger: hub.logger).run(inbound: inbound, outbound: outbound)
        }
    }

    /// Takes one of the client address's new-connection tokens; the 429 answer when none is left.
    func pace(_ head: HTTPRequestHead, peer: String?) -> APIError? {
        guard let address = hub.settings.trustedProxies.clientAddress(peer: peer, forwardedFor: head.headers["X-Forwarded-For"]),
              let wait = hub.connectAttempts.take(address, now: Date()) else { return nil }
        return APIError(.tooManyRequests, reason: ReasonCode.rateLimited.rawValue,
                        "Too many new connections from \(address); reconnect after a back-off.", headers: [.retryAfter: String(wait)])
    }

    private static func refusal(_ code: PusherErrorCode, _ message: String) -> WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context> {
        { _, outbound, _ in
            try await RefusalPause.wait()
            try await outbound.write(.text(PusherMessage.error(message: message, code: code.rawValue).encoded()))
            try await outbound.close(.unknown(UInt16(code.rawValue)), reason: String(message.prefix(100)))
        }
    }
}
