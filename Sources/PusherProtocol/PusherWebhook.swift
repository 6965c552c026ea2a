import Foundation

/// Pusher's webhooks as Pusher sends them to an app (pusher.com/docs/channels/server_api/webhooks):
/// a POST of `{"time_ms": <Unix ms>, "events": [{"name": …, "channel": …, …}, …]}` with
/// `Content-Type: application/json`, `X-Pusher-Key: <app key>` and
/// `X-Pusher-Signature: <hex HMAC-SHA256 of the body keyed with the app secret>`, which the
/// Pusher server libraries' `validate_webhook` / `webhook()` check (with `time_ms` within
/// 5 minutes of the receiver's clock).
public enum PusherWebhook {
    /// The header naming the app key.
    public static let keyHeader = "X-Pusher-Key"
    /// The header carrying the signature.
    public static let signatureHeader = "X-Pusher-Signature"

    /// The request body for `events` (Pusher's event objects) sent at `time`.
    public static func body(events: [PusherJSON], time: Date) -> Data {
        let milliseconds = Int((time.timeIntervalSince1970 * 1000).rounded(.down))
        return Data(PusherJSON.object(["time_ms": .integer(milliseconds), "events": .array(events)]).jsonString.utf8)
    }

    /// The `X-Pusher-Signature` of `body` for an app with `secret`.
    public static func signature(body: some DataProtocol, secret: String) -> String {
        PusherCrypto.hmacSHA256Hex(secret: secret, bytes: body)
    }

    /// The headers of a webhook request carrying `body` for `app`.
    public static func headers(body: some DataProtocol, app: PusherApp) -> [(String, String)] {
        [("Content-Type", "application/json"), (keyHeader, app.key), (signatureHeader, signature(body: body, secret: app.secret))]
    }
}
