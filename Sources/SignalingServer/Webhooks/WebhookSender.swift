import CallStore
import Foundation
import HTTPClient
import PusherProtocol

/// POSTs a batch of webhook events of one app to one URL, signed as Pusher signs its
/// webhooks (``PusherWebhook``). ``send(_:to:app:)`` blocks on libcurl: call it from a thread
/// of its own, never from Swift's cooperative pool.
struct WebhookSender: Sendable {
    /// The limit on one request, connection included.
    let timeout: Duration
    /// Stamps `time_ms`.
    let now: @Sendable () -> Date

    /// Sends `events` in order; success means the URL answered 2xx.
    func send(_ events: [PendingWebhookEvent], to url: String, app: PusherApp) -> Result<Void, WebhookSendError> {
        let body = PusherWebhook.body(events: events.map { Self.pusherEvent($0.event, id: $0.id) }, time: now())
        let request = HTTPRequest(method: "POST", url: url, headers: PusherWebhook.headers(body: body, app: app), body: body,
                                  timeout: timeout)
        let shown = WebhookRoute.displayName(url)
        do {
            let response = try HTTPClient.send(request)
            guard (200..<300).contains(response.status) else {
                return .failure(.answer(status: response.status, body: response.body, url: shown, secret: app.secret))
            }
            return .success(())
        } catch {
            return .failure(.transport(error, url: shown, timeout: timeout))
        }
    }

    /// Pusher's event object: `name` and `channel`, plus `user_id` for member events, and
    /// `event`, `data`, `socket_id` (and `user_id` on presence channels) for client events; and
    /// callctl's `callctl_event_id` (the `webhook_events` row, as a string), the same in every
    /// attempt, so an app can drop an event it already handled when an answer was lost.
    static func pusherEvent(_ event: WebhookEvent, id: Int64) -> PusherJSON {
        var members: [String: PusherJSON] = ["name": .string(event.kind.rawValue), "channel": .string(event.channel),
                                             "callctl_event_id": .string(String(id))]
        if let user = event.userID { members["user_id"] = .string(user) }
        if let name = event.event { members["event"] = .string(name) }
        if let data = event.data { members["data"] = .string(data) }
        if let socket = event.socketID { members["socket_id"] = .string(socket) }
        return .object(members)
    }
}
