import CallStore
import Foundation
import HummingbirdWebSocket
import Logging
import PusherProtocol

/// One client's conversation with the hub, from `pusher:connection_established` to close:
/// this task reads and answers the client's messages; what is sent to the client goes
/// through its ``HubConnection`` straight to the socket.
struct PusherConversation {
    /// The answer to every `pusher:ping`, encoded once.
    static let pong = PusherMessage.pong().encoded()

    let hub: Hub
    let connection: HubConnection
    let logger: Logger

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        if let refusal = hub.admit(connection) {
            hub.logger.info("connection refused", metadata: ["code": "\(refusal.rawValue)", "address": "\(connection.clientAddress ?? "-")"])
            try await outbound.write(.text(PusherMessage.error(refusal).encoded()))
            try await outbound.close(.unknown(UInt16(refusal.rawValue)), reason: refusal.message)
            return
        }
        connection.send(PusherMessage.connectionEstablished(socketID: connection.socketID,
                                                            activityTimeout: hub.settings.activityTimeout).encoded())
        var failure: (any Error)?
        do {
            for try await message in inbound.messages(maxSize: hub.settings.maximumMessageBytes * 2) {
                connection.touch()
                guard connection.admitMessage(perSecond: hub.settings.messagesPerSecond) else {
                    logger.info("connection closed for flooding", metadata: [
                        "socket_id": "\(connection.socketID.rawValue)", "address": "\(connection.clientAddress ?? "-")"])
                    // Closed here, before the session returns, so the client gets 4100 and not a normal closure.
                    try? await outbound.close(.unknown(UInt16(PusherErrorCode.overCapacity.rawValue)),
                                              reason: "more than \(hub.settings.messagesPerSecond) messages a second")
                    break
                }
                guard case .text(let text) = message else {
                    connection.send(PusherMessage.error(message: "Only text frames carry Pusher messages.", code: nil).encoded())
                    continue
                }
                await handle(text)
            }
        } catch {
            // A reset, a protocol error or a failed write: the connection is over all the same.
            failure = error
            logger.debug("connection ended abruptly", metadata: ["socket_id": "\(connection.socketID.rawValue)", "error": "\(error)"])
        }
        // However the connection ended, its members and rows go, announced once.
        await hub.disconnect(connection)
        // A protocol error still closes the socket with its code (1002, 1007, 1009).
        if let failure { throw failure }
    }

    private func handle(_ text: String) async {
        let message: PusherMessage
        switch Result(catching: { () throws(PusherMessageError) in
            try PusherMessage.decode(text, maxBytes: hub.settings.maximumMessageBytes)
        }) {
        case .success(let decoded): message = decoded
        case .failure(let error):
            connection.send(PusherMessage.error(message: error.description, code: nil).encoded())
            return
        }
        switch message.event {
        case "pusher:ping":
            connection.send(Self.pong)
        case "pusher:pong":
            break
        case "pusher:subscribe":
            await PusherSubscription(hub: hub, connection: connection, logger: logger).subscribe(message.data)
        case "pusher:unsubscribe":
            await PusherSubscription(hub: hub, connection: connection, logger: logger).unsubscribe(message.data)
        case "pusher:signin":
            signIn(message.data)
        case let event where event.hasPrefix(PusherChannelName.clientEventPrefix):
            await clientEvent(message)
        default:
            connection.send(PusherMessage.error(message: "Unknown event \(message.event.prefix(64)); clients may send pusher:* "
                                                + "protocol events and client-* events only.", code: nil).encoded())
        }
    }

    private func signIn(_ data: PusherJSON) {
        guard let auth = data["auth"]?.stringValue, let userData = data["user_data"]?.stringValue,
              ChannelAuthSignature.verifyUser(auth: auth, app: connection.app, socketID: connection.socketID.rawValue,
                                              userData: userData),
              let user = PusherJSON(parsing: Array(userData.utf8)), user["id"]?.stringValue?.isEmpty == false else {
            connection.send(PusherMessage.error(message: "pusher:signin refused: the auth signature does not match user_data "
                                                + "(or user_data has no string id).", code: PusherErrorCode.connectionUnauthorized.rawValue).encoded())
            return
        }
        connection.send(PusherMessage(event: "pusher:signin_success", data: .object(["user_data": .string(userData)])).encoded())
    }

    private func clientEvent(_ message: PusherMessage) async {
        guard let channel = message.channel, let name = PusherChannelName(channel), name.allowsClientEvent(message.event) else {
            connection.send(PusherMessage.error(message: "Client events need a client-* name of at most 200 characters on a "
                                                + "private or presence channel.", code: nil).encoded())
            return
        }
        guard let member = connection.member(of: channel) else {
            connection.send(PusherMessage.error(message: "Subscribe to \(channel) before sending client events on it.",
                                                code: nil).encoded())
            return
        }
        guard connection.admitClientEvent(perSecond: hub.settings.clientEventsPerSecond) else {
            connection.send(PusherMessage.error(.clientEventRateLimited).encoded())
            return
        }
        let data = message.data.stringValue ?? message.data.jsonString
        let event = HubEvent(appID: connection.app.id, channel: channel, event: message.event, data: data,
                             excludedSocket: connection.socketID.rawValue, userID: member.isEmpty ? nil : member)
        do {
            try await hub.publish([event])
        } catch {
            logger.warning("client event not fanned out", metadata: ["channel": "\(channel)", "error": "\(error)"])
        }
        // Accepted: the app hears of it too, when a webhook URL wants client events.
        await hub.recordClientEvent(event, socketID: connection.socketID.rawValue)
    }
}
