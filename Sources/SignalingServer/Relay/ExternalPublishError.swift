import Foundation
import HTTPClient

/// Why the external Pusher server did not take a batch: one sentence with the cause and what
/// to do, free of the app secret (it is stored in `outbox.last_error` and logged).
public struct ExternalPublishError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The cause and the fix.
    public let description: String
    /// The HTTP status, when the server answered.
    public let status: Int?
    /// True when every batch would fail the same way (server down, wrong credentials), so a
    /// sender should back off instead of trying the next batch; false when the failure is
    /// about this batch's content (too large, invalid), which later batches may not share.
    public let affectsEveryBatch: Bool

    /// Creates an error.
    public init(_ description: String, status: Int? = nil, affectsEveryBatch: Bool = true) {
        self.description = description
        self.status = status
        self.affectsEveryBatch = affectsEveryBatch
    }

    /// Explains a transfer that produced no answer (curl's error codes).
    static func transport(_ error: HTTPClientError, target: ExternalPusherTarget, timeout: Duration) -> ExternalPublishError {
        let place = "\(target.host):\(target.port)"
        let text: String
        switch error.code {
        case 6:
            text = "the host \(target.host) of \(ExternalPusherTarget.variable) does not resolve; fix the host name or the DNS"
        case 7:
            text = "nothing accepts connections at \(place) (the external Pusher server is down or the port is wrong); "
                + "start the server or fix \(ExternalPusherTarget.variable)"
        case 28:
            text = "the external Pusher server at \(place) did not answer within \(timeout); check that it runs and is not overloaded"
        case 35, 51, 53, 54, 58, 59, 60, 66, 77, 80, 83, 90, 91:
            text = "the TLS connection to \(place) failed (\(error.description)); check the server's certificate, "
                + "or use the scheme the server speaks (http or https) in \(ExternalPusherTarget.variable)"
        case 52, 55, 56:
            text = "the connection to \(place) broke before an answer (\(error.description)); check the external server's logs"
        default:
            text = "the request to the external Pusher server at \(place) failed (\(error.description)); "
                + "check that \(ExternalPusherTarget.variable) points at it"
        }
        return ExternalPublishError(text)
    }

    /// Explains a non-2xx answer; `body` is the server's answer, quoted briefly.
    static func answer(status: Int, body: Data, target: ExternalPusherTarget) -> ExternalPublishError {
        let quoted = Self.excerpt(body, hiding: target.app.secret)
        let said = quoted.isEmpty ? "" : " (it said: \(quoted))"
        let secret = target.credentialsFromURL ? "the secret in \(ExternalPusherTarget.variable)"
                                               : "REVERB_APP_SECRET (the primary app's secret)"
        switch status {
        case 401:
            return ExternalPublishError("the external server refused the signature (HTTP 401)\(said): \(secret) differs from the "
                + "server's, or this machine's clock is off by more than 10 minutes; use the server's app secret", status: status)
        case 403:
            return ExternalPublishError("the external server refused the app (HTTP 403)\(said): it may be disabled or over its "
                + "quota; check app \(target.app.id) on the server", status: status)
        case 404:
            return ExternalPublishError("the external server has no app \(target.app.id) (HTTP 404)\(said): fix the /apps/APP_ID "
                + "of \(ExternalPusherTarget.variable) (or REVERB_APP_ID)", status: status)
        case 413:
            return ExternalPublishError("the external server refused the batch as too large (HTTP 413): an event exceeds its "
                + "payload limit (10 KB on Pusher); raise the server's limit or keep events smaller", status: status,
                affectsEveryBatch: false)
        case 400, 422:
            return ExternalPublishError("the external server rejected the batch as invalid (HTTP \(status))\(said); check the "
                + "event names and channels of these rows", status: status, affectsEveryBatch: false)
        case 429:
            return ExternalPublishError("the external server is rate-limiting this app (HTTP 429); delivery is retried with "
                + "backoff, raise the app's message quota if it persists", status: status)
        case 500...599:
            return ExternalPublishError("the external server failed (HTTP \(status))\(said); check its logs, delivery is retried",
                                        status: status)
        default:
            return ExternalPublishError("the external server answered HTTP \(status)\(said); check that \(target) is a "
                + "Pusher-compatible HTTP API", status: status)
        }
    }

    /// The first line of an answer, at most 120 characters, with the secret blanked out.
    private static func excerpt(_ body: Data, hiding secret: String) -> String {
        let line = String(decoding: body.prefix(512), as: UTF8.self)
            .split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let clean = secret.isEmpty ? line : line.replacingOccurrences(of: secret, with: "<redacted>")
        return String(clean.trimmingCharacters(in: .whitespaces).prefix(120))
    }
}
