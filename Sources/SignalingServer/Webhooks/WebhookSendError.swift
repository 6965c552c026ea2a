import Foundation
import HTTPClient

/// Why a webhook URL did not take a batch: one sentence with the cause and what to do, naming
/// the URL without its query and never the app secret (it is stored in
/// `webhook_targets.last_error`, logged and shown by `outbox status`).
public struct WebhookSendError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The cause and the fix.
    public let description: String

    /// Explains a transfer that produced no answer (curl's error codes).
    static func transport(_ error: HTTPClientError, url: String, timeout: Duration) -> WebhookSendError {
        let text: String
        switch error.code {
        case 6: text = "the host of \(url) does not resolve; fix the URL in CALLCTL_WEBHOOK_URLS or the DNS"
        case 7: text = "nothing accepts connections at \(url) (the app is down or the port is wrong); events wait and are retried"
        case 28: text = "\(url) did not answer within \(timeout); the app must answer webhooks quickly (queue the work)"
        default: text = "the POST to \(url) failed (\(error.description)); check that the app serves it"
        }
        return WebhookSendError(description: text)
    }

    /// Explains a non-2xx answer, quoting the first line of `body` briefly with `secret` blanked out.
    static func answer(status: Int, body: Data, url: String, secret: String) -> WebhookSendError {
        let line = String(decoding: body.prefix(512), as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let quoted = String((secret.isEmpty ? line : line.replacingOccurrences(of: secret, with: "<redacted>"))
            .trimmingCharacters(in: .whitespaces).prefix(120))
        let said = quoted.isEmpty ? "" : " (it said: \(quoted))"
        let advice = status == 401 || status == 403
            ? "the app refused the signature: it must validate X-Pusher-Signature with the same app secret"
            : "events wait and are retried with backoff; check the app's logs"
        return WebhookSendError(description: "\(url) answered HTTP \(status)\(said); \(advice)")
    }
}
