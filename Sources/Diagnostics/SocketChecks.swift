import Foundation
import HTTPClient
import HummingbirdWSClient
import PusherProtocol

/// The checks on the WebSocket itself: the upgrade, the Pusher handshake, the app key and
/// subscriptions.
struct SocketChecks: Sendable {
    let target: EchoTarget
    let socket: PusherSocket

    private var deadline: ContinuousClock.Instant { .now + target.timeout }

    /// The server answers the upgrade with 101.
    func upgrade() async -> Finding<Void> {
        switch await socket.next(by: deadline) {
        case .upgraded?:
            return .pass("101 Switching Protocols from \(target.hostPort)/app/\(target.app.key)", ())
        case nil:
            return .fail("no answer to the upgrade request within \(Timing.text(target.timeout))",
                         verdict: "\(target.hostPort) accepts TCP but does not answer the WebSocket upgrade: a proxy holds "
                                + "the request (it must pass Upgrade/Connection headers) or the server is stuck")
        case .failed(let error)? where (error as? WebSocketClientError) == .webSocketUpgradeFailed:
            let status = await upgradeStatus()
            return .fail("the upgrade was refused\(status.map { " with HTTP \($0)" } ?? "")",
                         verdict: Self.upgradeVerdict(status, target: target))
        case .failed(let error)?:
            return .fail("the WebSocket connection failed: \(error)",
                         verdict: "the WebSocket client could not connect to \(target.hostPort): check --url (REVERB_HOST, REVERB_PORT, REVERB_SCHEME)")
        case let other?:
            return .fail("unexpected \(other) before the upgrade", verdict: "the server at \(target.hostPort) is not a WebSocket server")
        }
    }

    /// A Pusher message arrives: `connection_established`, or the `pusher:error` a refusal sends.
    func firstMessage() async -> Finding<PusherMessage> {
        switch await socket.next(by: deadline) {
        case .message(let message)?:
            let what = message.event == "pusher:error" ? "pusher:error came instead (see app_key)" : message.event
            return .pass(what, message)
        case nil:
            return .fail("nothing within \(Timing.text(target.timeout)) after the upgrade",
                         verdict: "the server accepted the WebSocket but never sent connection_established: not a Pusher "
                                + "server, or a proxy buffering (disable proxy_buffering for /app/)")
        case .foreign(let text)?, .text(let text)?:
            return .fail("the first frame is not a Pusher message: \(text.prefix(80))",
                         verdict: "\(target.hostPort) is a WebSocket server but not a Pusher one: point --url (REVERB_HOST/PORT) at Reverb or callctl serve")
        case .closed(let code, let reason)?:
            return .fail("the server closed the WebSocket (\(Self.closeText(code, reason))) without a Pusher message",
                         verdict: "the server at \(target.hostPort) drops Pusher clients: check its log for the close reason")
        case .failed(let error)?:
            return .fail("the WebSocket failed: \(error)", verdict: "the connection broke right after the upgrade: check the server's log")
        case .upgraded?:
            return .fail("a second upgrade event", verdict: "the WebSocket client misbehaved: run the diagnosis again")
        }
    }

    /// The first message is `connection_established` with a socket id: the app key is known.
    func appKey(_ first: PusherMessage) -> Finding<String> {
        if first.event == "pusher:connection_established", let id = first.data["socket_id"]?.stringValue, SocketID(id) != nil {
            let activity = first.data["activity_timeout"].map { " activity_timeout \($0.jsonString) s," } ?? ""
            return .pass("key \(target.app.key) accepted,\(activity) socket id \(id)", id)
        }
        guard first.event == "pusher:error" else {
            return .fail("\(first.event) came instead of pusher:connection_established",
                         verdict: "the server does not follow Pusher protocol 7: use a Pusher-compatible server (Reverb, callctl serve)")
        }
        let code = first.data["code"].flatMap { if case .integer(let code) = $0 { code } else { nil } }
        let message = first.data["message"]?.stringValue ?? ""
        let detail = "pusher:error \(code.map(String.init) ?? "without code"): \(message.prefix(120))"
        return .fail(detail, verdict: Self.errorVerdict(code, target: target))
    }

    /// Subscribes and waits for `subscription_succeeded` on `channel`; returns its data.
    func subscribe(_ channel: String, auth: String, channelData: String?) async -> Finding<PusherJSON> {
        var data: [String: PusherJSON] = ["channel": .string(channel), "auth": .string(auth)]
        if let channelData { data["channel_data"] = .string(channelData) }
        socket.send(PusherMessage(event: "pusher:subscribe", data: .object(data)))
        let outcome = await awaitMessage(by: deadline) { message in
            message.channel == channel && ["pusher_internal:subscription_succeeded", "pusher:subscription_error"].contains(message.event)
                || message.event == "pusher:error"
        }
        switch outcome {
        case .success(let message) where message.event == "pusher_internal:subscription_succeeded":
            return .pass("subscribed to \(channel)", message.data)
        case .success(let message) where message.event == "pusher:error":
            let code = message.data["code"].flatMap { if case .integer(let code) = $0 { code } else { nil } }
            return .fail("pusher:error \(code.map(String.init) ?? "-"): \(message.data["message"]?.stringValue ?? "")",
                         verdict: code == PusherErrorCode.connectionUnauthorized.rawValue
                            ? "the WebSocket server refused the auth endpoint's signature: the app and the WebSocket server use different REVERB_APP_SECRET values"
                            : Self.errorVerdict(code, target: target))
        case .success(let message):
            return .fail("pusher:subscription_error: \(message.data.jsonString.prefix(160))",
                         verdict: "the WebSocket server refused the subscription to \(channel): check its log for the reason")
        case .failure(let problem):
            return .fail(problem.detail, verdict: problem.verdict ?? "no subscription_succeeded for \(channel) within "
                         + "\(Timing.text(target.timeout)): the WebSocket server is overloaded or drops subscriptions")
        }
    }

    /// Waits until a message satisfying `matches` arrives (answering pings on the way).
    func awaitMessage(by deadline: ContinuousClock.Instant, _ matches: (PusherMessage) -> Bool) async -> Result<PusherMessage, SocketProblem> {
        while true {
            switch await socket.next(by: deadline) {
            case .message(let message)? where matches(message):
                return .success(message)
            case .message(let message)?:
                if message.event == "pusher:ping" { socket.send(.pong()) }
            case .foreign?, .text?, .upgraded?:
                continue
            case nil:
                return .failure(SocketProblem(detail: "nothing within \(Timing.text(target.timeout))", verdict: nil))
            case .closed(let code, let reason)?:
                return .failure(SocketProblem(detail: "the server closed the WebSocket (\(Self.closeText(code, reason)))",
                                              verdict: "the WebSocket server dropped the connection: check its log around now"))
            case .failed(let error)?:
                return .failure(SocketProblem(detail: "the WebSocket failed: \(error)",
                                              verdict: "the connection broke: check the server's and any proxy's log"))
            }
        }
    }

    /// What the server answers a plain upgrade request, as curl sees it.
    private func upgradeStatus() async -> Int? {
        let url = target.socketURL.replacingOccurrences(of: "ws", with: "http", options: .anchored)
        let request = HTTPRequest(method: "GET", url: url, headers: [
            ("Connection", "Upgrade"), ("Upgrade", "websocket"), ("Sec-WebSocket-Version", "13"),
            ("Sec-WebSocket-Key", "ZGlhZ25vc2UtY2FsbGN0bA=="),
        ], timeout: min(target.timeout, .seconds(2)), caFile: target.caFile)
        return try? await HTTPClient.send(request).status
    }

    static func upgradeVerdict(_ status: Int?, target: EchoTarget) -> String {
        switch status {
        case 404?: "\(target.hostPort) has no WebSocket at /app/{key}: the proxy does not route /app/ to the WebSocket server, or --url is the app's URL"
        case 502?, 503?, 504?: "the proxy at \(target.hostPort) cannot reach the WebSocket server behind it (HTTP \(status!)): start it or fix the upstream"
        case 426?, 400?: "a proxy in front strips the Upgrade/Connection headers: pass them (nginx: proxy_set_header Upgrade $http_upgrade)"
        default: "\(target.hostPort) does not upgrade to a WebSocket at /app/{key}: check --url and the proxy in front of the server"
        }
    }

    static func errorVerdict(_ code: Int?, target: EchoTarget) -> String {
        switch code.flatMap(PusherErrorCode.init(rawValue:)) {
        case .appDoesNotExist?:
            "the server does not know app key \(target.app.key): REVERB_APP_KEY differs between the app and the WebSocket server"
        case .appDisabled?: "app \(target.app.key) is disabled on the WebSocket server: enable it"
        case .sslOnly?: "the server accepts only TLS: use wss:// (REVERB_SCHEME=https)"
        case .overConnectionQuota?, .overCapacity?: "the WebSocket server is over its connection limit: raise it or add capacity"
        case .connectionUnauthorized?: "the server refused the connection (4009): this origin is not allowed or the signature is wrong; check allowed origins and REVERB_APP_SECRET"
        case .unsupportedProtocolVersion?, .noProtocolVersionSupplied?, .invalidVersionStringFormat?:
            "the server does not speak Pusher protocol 7: upgrade it"
        default: "the WebSocket server refused the connection: check its log"
        }
    }

    static func closeText(_ code: Int?, _ reason: String?) -> String {
        guard let code else { return "no close frame" }
        return "close \(code)" + (reason.map { $0.isEmpty ? "" : ": \($0.prefix(100))" } ?? "")
    }
}

/// Why a wait on the socket ended without the expected message.
struct SocketProblem: Error, Sendable {
    let detail: String
    /// A specific cause when known (a close, a failure); nil for a plain timeout.
    let verdict: String?
}
