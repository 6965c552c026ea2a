import Foundation
import Hummingbird
import Logging
import PusherProtocol

/// An authentic Pusher HTTP API request: the app its path names and its body, verified with
/// ``PusherRequestVerifier`` (key, version, a timestamp within 600 s, `body_md5`, and the
/// signature compared in constant time).
struct PusherAPIRequest {
    /// The app of `/apps/{id}/…`.
    let app: PusherApp
    /// The body, at most the route's limit.
    let body: Data

    /// Finds the app, reads at most `bodyLimit` bytes of body and verifies the signature.
    /// - Throws: ``APIError``: 404 `not_found` for an unknown app id, 413 `too_large` over the
    ///   limit, 401 with the failed check as the reason (`stale_timestamp` for a timestamp more
    ///   than 600 s from the server clock, so that a captured request cannot be replayed later;
    ///   `duplicate_parameter` for a query naming a key twice, ignoring case, since then the
    ///   signed value and the used one could differ).
    static func verify(_ request: Request, context: CallRequestContext, apps: PusherApps, bodyLimit: Int,
                       now: Date) async throws -> PusherAPIRequest {
        let id = context.parameters.get("appID") ?? ""
        guard let app = apps.app(id: id) else {
            throw APIError(.notFound, reason: "not_found",
                           "No Pusher app with id \"\(id.prefix(64))\" is served here; use the REVERB_APP_ID the daemon was started with.")
        }
        let body = try await request.boundedBody(limit: bodyLimit, hint: "; send fewer or smaller events per request")
        // Every item as sent, duplicates included: the verifier refuses a name given twice. Names
        // are percent-decoded (Hummingbird decodes only values), so `auth%5Fkey` is `auth_key`.
        let query = request.uri.queryParameters.map { item in
            (name: String(item.key).removingPercentEncoding ?? String(item.key), value: String(item.value))
        }
        do {
            try PusherRequestVerifier(app: app).verify(method: request.method.rawValue, path: request.uri.path, queryItems: query,
                                                       body: body, now: Int(now.timeIntervalSince1970.rounded(.down)))
        } catch {
            let refusal = refusal(error, app: app)
            context.logger.info("http api refused", metadata: ["appId": "\(app.id)", "reason": "\(refusal.reason)"])
            throw refusal
        }
        return PusherAPIRequest(app: app, body: body)
    }

    /// The 401 answering a failed check, with a reason per check and the next step.
    static func refusal(_ error: PusherRequestAuthError, app: PusherApp) -> APIError {
        let reason: String
        let advice: String
        switch error {
        case .missingParameter:
            (reason, advice) = ("missing_auth", "sign the request with a Pusher server library")
        case .duplicateParameter:
            (reason, advice) = ("duplicate_parameter", "send each query parameter once, then sign the request")
        case .unknownKey:
            (reason, advice) = ("invalid_key", "use the key of app \(app.id) (REVERB_APP_KEY)")
        case .unsupportedVersion:
            (reason, advice) = ("invalid_auth_version", "sign with auth_version=1.0")
        case .invalidTimestamp:
            (reason, advice) = ("invalid_timestamp", "send auth_timestamp as whole seconds since 1970")
        case .timestampSkew:
            (reason, advice) = ("stale_timestamp", "sign each request when it is sent and keep the sender's clock in sync (NTP); "
                + "requests more than \(PusherRequestVerifier.defaultTolerance) s off are refused so that they cannot be replayed")
        case .bodyMismatch:
            (reason, advice) = ("body_md5_mismatch", "send body_md5 as the MD5 hex of the exact body sent")
        case .invalidSignature:
            (reason, advice) = ("invalid_signature", "sign with the secret of app \(app.id) (REVERB_APP_SECRET)")
        }
        return APIError(.unauthorized, reason: reason, "\(error.description) To fix: \(advice).")
    }
}
