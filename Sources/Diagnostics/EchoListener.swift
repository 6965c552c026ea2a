import Foundation
import PusherProtocol

/// An event a subscribed channel received.
public struct ReceivedEvent: Sendable, Equatable {
    /// The channel, e.g. `private-appointments.42`.
    public let channel: String
    /// The event name as published (with the app's namespace).
    public let event: String
    /// The event's data, parsed.
    public let data: PusherJSON
}

/// Why an ``EchoListener`` could not start.
public struct EchoListenerError: Error, CustomStringConvertible, Sendable {
    /// What failed.
    public let description: String
}

/// A subscriber that behaves like Laravel Echo in a browser: it opens the Pusher WebSocket,
/// has each private channel signed by the app's `/broadcasting/auth` with its bearer token,
/// subscribes, and then hands over every event the channels receive.
public final class EchoListener: Sendable {
    private let socket: PusherSocket

    private init(socket: PusherSocket) {
        self.socket = socket
    }

    /// Connects to `url` (`ws[s]://host:port`) with `appKey` and subscribes to `channels`,
    /// each signed at `authURL` for `token`; every step bounded by `timeout`; `caFile` is trusted for wss and https.
    public static func subscribe(url: String, appKey: String, authURL: String, token: String, channels: [String],
                                 timeout: Duration = .seconds(5), caFile: String? = nil) async throws(EchoListenerError) -> EchoListener {
        let escapedKey = EchoTarget.escaped(appKey)
        let socket = PusherSocket(url: "\(url)/app/\(escapedKey)?protocol=\(PusherMessage.protocolVersion)&client=callctl&version=1.0",
                                  caFile: caFile)
        let listener = EchoListener(socket: socket)
        do throws(EchoListenerError) {
            let established = try await listener.await(timeout, "pusher:connection_established") { $0.event == "pusher:connection_established" }
            guard let socketID = established.data["socket_id"]?.stringValue else {
                throw EchoListenerError(description: "pusher:connection_established without a socket_id")
            }
            let endpoint = AuthEndpoint(url: authURL, timeout: timeout, caFile: caFile)
            for channel in channels {
                guard case .granted(let auth, let channelData, _, _) = await endpoint.ask(channel: channel, socketID: socketID, token: token) else {
                    throw EchoListenerError(description: "\(authURL) refused to sign \(channel)")
                }
                var data: [String: PusherJSON] = ["channel": .string(channel), "auth": .string(auth)]
                if let channelData { data["channel_data"] = .string(channelData) }
                socket.send(PusherMessage(event: "pusher:subscribe", data: .object(data)))
                _ = try await listener.await(timeout, "subscription_succeeded for \(channel)") {
                    $0.channel == channel && $0.event == "pusher_internal:subscription_succeeded"
                }
            }
        } catch {
            socket.close()
            throw error
        }
        return listener
    }

    /// The next event of a subscribed channel, or nil when none arrives by `deadline` or the
    /// connection ended.
    public func next(by deadline: ContinuousClock.Instant) async -> ReceivedEvent? {
        while let event = await socket.next(by: deadline) {
            switch event {
            case .message(let message) where !message.event.hasPrefix("pusher"):
                guard let channel = message.channel else { continue }
                return ReceivedEvent(channel: channel, event: message.event, data: message.data)
            case .closed, .failed:
                return nil
            default:
                continue
            }
        }
        return nil
    }

    /// Closes the connection.
    public func close() {
        socket.close()
    }

    private func await(_ timeout: Duration, _ what: String, _ matches: (PusherMessage) -> Bool) async throws(EchoListenerError) -> PusherMessage {
        let deadline = ContinuousClock.now + timeout
        while let event = await socket.next(by: deadline) {
            switch event {
            case .message(let message) where matches(message):
                return message
            case .message(let message) where message.event == "pusher:error":
                throw EchoListenerError(description: "pusher:error while waiting for \(what): \(message.data.jsonString.prefix(160))")
            case .closed(let code, let reason):
                throw EchoListenerError(description: "the server closed the connection (\(code.map(String.init) ?? "no code") \(reason ?? "")) while waiting for \(what)")
            case .failed(let error):
                throw EchoListenerError(description: "the WebSocket failed while waiting for \(what): \(error)")
            default:
                continue
            }
        }
        throw EchoListenerError(description: "no \(what) within \(timeout)")
    }
}
