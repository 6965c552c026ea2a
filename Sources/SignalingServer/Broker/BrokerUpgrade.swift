import Foundation
import HTTPTypes
import HummingbirdWebSocket
import NIOCore

/// Decides whether an HTTP request becomes a broker WebSocket: `GET {path}/peerjs?key=&id=&token=`
/// upgrades, and the socket is then admitted or refused with the protocol's ERROR or ID-TAKEN
/// and a close frame (``PeerBroker/admit(key:id:token:address:sink:)``); any other path is not
/// the broker's (nil).
struct BrokerUpgrade: Sendable {
    let broker: PeerBroker
    let clientAddress: @Sendable (HTTPRequest, any Channel) -> String?

    func decide(_ request: HTTPRequest, channel: any Channel) -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>>? {
        guard let target = request.path, let components = URLComponents(string: target),
              components.path == broker.settings.socketPath else { return nil }
        func query(_ name: String) -> String? { components.queryItems?.first { $0.name == name }?.value }
        let (key, id, token) = (query("key"), query("id"), query("token"))
        let address = clientAddress(request, channel)
        let broker = broker
        return .upgrade([:]) { inbound, outbound, _ in
            let sink = PeerChannelSink(channel: channel, outbound: outbound)
            switch await broker.admit(key: key, id: id, token: token, address: address, sink: sink) {
            case .refused(let text, let code, let reason):
                try await RefusalPause.wait()
                try await outbound.write(.text(text))
                try await outbound.close(.unknown(code), reason: reason)
            case .admitted(let socket):
                do {
                    for try await message in inbound.messages(maxSize: broker.settings.maximumMessageBytes) {
                        guard case .text(let text) = message else {
                            await broker.receive("binary frame", from: socket)
                            break
                        }
                        await broker.receive(text, from: socket)
                        if socket.closing != nil { break }
                    }
                } catch {
                    broker.disconnect(socket, why: "connection error")
                    throw error
                }
                broker.disconnect(socket, why: "closed")
                // Closed by the broker: the handshake carries its code, not the normal closure
                // returning from here would send.
                if let closing = socket.closing { try? await outbound.close(.unknown(closing.code), reason: closing.reason) }
            }
        }
    }
}
