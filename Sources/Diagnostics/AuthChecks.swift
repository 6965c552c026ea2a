import Foundation
import HTTPClient
import PusherProtocol

/// A signature the auth endpoint handed out.
struct AuthGrant: Sendable {
    let auth: String
    let channelData: String?
}

/// The channel-auth checks: the endpoint answers for the token, its signature verifies with
/// the configured secret, and it refuses what it must refuse.
struct AuthChecks: Sendable {
    let target: EchoTarget
    let endpoint: AuthEndpoint

    init(target: EchoTarget) {
        self.target = target
        endpoint = AuthEndpoint(target: target)
    }

    /// The endpoint signs `channel` for the token.
    func authorize(_ channel: String, socketID: String) async -> Finding<AuthGrant> {
        let url = HTTPClient.redactedURL(target.authURL)
        switch await endpoint.ask(channel: channel, socketID: socketID, token: target.token) {
        case .granted(let auth, let channelData, let status, let timings):
            return .pass("\(AuthEndpoint.timingText(status, timings)) for \(channel)", AuthGrant(auth: auth, channelData: channelData))
        case .refused(let status, let reason, let timings):
            let detail = "\(AuthEndpoint.timingText(status, timings)): \(reason)"
            return .fail(detail, verdict: Self.refusalVerdict(status, reason: reason, channel: channel, url: url))
        case .unexpected(let status, let body):
            return .fail("\(status) without an auth value: \(body)",
                         verdict: "\(url) is not a channel-auth endpoint answering bearer tokens (a login page or another route?): "
                                + "check APP_URL and that Broadcast::routes() uses the token guard (auth:api / auth:sanctum)")
        case .unreachable(let error):
            return .fail(error, verdict: "the app's auth endpoint \(url) cannot be reached: check --auth-url (APP_URL) and that the app runs")
        }
    }

    /// The signature verifies with the configured key and secret.
    func verify(_ grant: AuthGrant, channel: String, socketID: String) -> Finding<Void> {
        guard let signature = ChannelAuthSignature(auth: grant.auth) else {
            return .fail("auth value \"\(grant.auth.prefix(24))…\" is not key:signature",
                         verdict: "the auth endpoint answers a malformed auth value: check the app's broadcasting driver (BROADCAST_CONNECTION=reverb/pusher)")
        }
        guard signature.key == target.app.key else {
            return .fail("signed for app key \(signature.key), expected \(target.app.key)",
                         verdict: "the app signs for app key \(signature.key) but the WebSocket server is used with \(target.app.key): "
                                + "REVERB_APP_KEY differs between the app and the WebSocket server")
        }
        guard ChannelAuthSignature.verifyChannel(auth: grant.auth, app: target.app, socketID: socketID, channel: channel,
                                                 channelData: grant.channelData) else {
            return .fail("the signature of \(channel) does not verify with the configured app secret",
                         verdict: "the app and the WebSocket server use different REVERB_APP_SECRET values: set the same secret in "
                                + "both .env files and restart both (php artisan config:clear)")
        }
        return .pass("HMAC-SHA256 over socket id and channel verifies with the configured secret", ())
    }

    /// The endpoint refuses `channel` for `token` (nil: no token); a grant is a security failure.
    func refuses(_ channel: String, socketID: String, token: String?, asking who: String) async -> Finding<Void> {
        switch await endpoint.ask(channel: channel, socketID: socketID, token: token) {
        case .granted(_, _, let status, _):
            return .fail("SECURITY: \(status) with a signature for \(channel) (\(who))",
                         verdict: "SECURITY: the auth endpoint signs \(channel) for \(who): anyone can listen to it; fix the "
                                + "channel rules (routes/channels.php) and the middleware of Broadcast::routes() now",
                         security: true)
        case .refused(let status, let reason, _) where (400..<500).contains(status):
            return .pass("refused \(channel) for \(who): \(status) \(reason)", ())
        case .refused(let status, let reason, _):
            return .fail("\(status) for \(channel) (\(who)): \(reason)",
                         verdict: "the auth endpoint fails (\(status)) instead of refusing with 401/403: see the app's log")
        case .unexpected(let status, let body):
            return .fail("\(status) for \(channel) (\(who)): \(body)",
                         verdict: "the auth endpoint neither signs nor refuses with 401/403: check its middleware")
        case .unreachable(let error):
            return .fail(error, verdict: "the auth endpoint stopped answering: check the app")
        }
    }

    /// Why the endpoint refused the token's own channel, and what to do.
    static func refusalVerdict(_ status: Int, reason: String, channel: String, url: String) -> String {
        switch status {
        case 401:
            "the auth endpoint does not accept the token (401 \(reason)): it is invalid, expired or revoked, or signed with another "
                + "key than the app's; log in again for a fresh token (--token) or check the app's JWT key"
        case 403:
            "the token is valid but its user may not subscribe to \(channel) (403 \(reason)): use a token of a user with access "
                + "(a participant of the appointment) or fix the channel's rule in routes/channels.php"
        case 404:
            "nothing answers at \(url) (404): check APP_URL and that Broadcast::routes() is registered"
        case 419:
            "the auth endpoint wants a session and CSRF token (419): register Broadcast::routes() with the token guard (auth:api or auth:sanctum)"
        case 500...:
            "the app's auth endpoint is broken (\(status) \(reason)): see the app's log (storage/logs/laravel.log) and fix the error"
        default:
            "the auth endpoint refused with \(status) (\(reason)): check its middleware and --auth-url"
        }
    }
}
