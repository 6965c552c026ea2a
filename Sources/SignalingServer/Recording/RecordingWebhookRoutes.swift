import CallDomain
import CallStore
import Foundation
import HTTPTypes
import Hummingbird
import Metrics
import PusherProtocol
import RecordingStorage

/// `POST /webhooks/recording`: the recording service announces a stored file (docs/design.md,
/// "Recordings"). Signed over timestamp and body with the shared secret (``WebhookSignature``),
/// within a replay window, compared in constant time; idempotent on the service's
/// `recordingId`; stored with its audit row and ``AppointmentRecordingAvailable`` in one
/// transaction by ``RecordingFileStore``. Every answer counts in
/// `callctl_recording_webhooks_total{result}`.
struct RecordingWebhookRoutes: Sendable {
    let configuration: SignalingConfiguration
    let dependencies: SignalingDependencies

    /// The body: `{"recordingId", "appointmentId", "callId", "location", "sizeBytes", "durationSeconds"}`.
    private struct Body: Decodable {
        let recordingId: String
        let appointmentId: Int64
        let callId: String
        let location: String
        let sizeBytes: Int64
        let durationSeconds: Int
    }

    /// The answer: what happened to the announcement.
    private struct Answer: Encodable {
        let recordingId: String
        /// `stored`, or `duplicate` for a retry of one already stored.
        let status: String
    }

    func add(to group: RouterGroup<CallRequestContext>) {
        group.post("recording", use: receive)
    }

    @Sendable func receive(_ request: Request, context: CallRequestContext) async throws -> Response {
        do {
            let answer = try await handle(request, context: context)
            Counter(label: "callctl_recording_webhooks_total", dimensions: [("result", answer.status)]).increment()
            return JSONBody.response(answer)
        } catch let error as APIError {
            Counter(label: "callctl_recording_webhooks_total", dimensions: [("result", error.reason)]).increment()
            context.logger.warning("recording webhook refused", metadata: ["reason": "\(error.reason)", "event": "recording_webhook"])
            throw error
        }
    }

    private func handle(_ request: Request, context: CallRequestContext) async throws -> Answer {
        guard let secret = configuration.recordings.webhookSecret else {
            throw APIError(.serviceUnavailable, reason: "webhook_not_configured",
                           "The recording webhook is off: set CALLCTL_RECORDING_WEBHOOK_SECRET for callctl serve and the recording service.")
        }
        let bytes = try await request.boundedBody(limit: configuration.maximumBodyBytes)
        let now = dependencies.now()
        do throws(WebhookSignature.Problem) {
            try WebhookSignature.verify(body: bytes, timestamp: request.headers[HTTPField.Name(WebhookSignature.timestampHeader)!],
                                        signature: request.headers[HTTPField.Name(WebhookSignature.signatureHeader)!],
                                        secret: secret, now: now)
        } catch {
            throw Self.refusal(error)
        }
        let notice = try Self.notice(from: bytes)
        let client = ClientInfo(ip: configuration.hub.trustedProxies.clientAddress(
            peer: context.clientIP, forwardedFor: request.headers[values: .xForwardedFor]), requestId: context.requestId)
        let announced = try await dependencies.pool.withConnection { connection in
            try RecordingFileStore(connection: connection).announce(notice, bodyHash: PusherCrypto.sha256Hex(bytes), client: client, now: now)
        }
        context.logger.info("recording announced", metadata: [
            "appointmentId": "\(notice.appointmentId)", "recordingId": "\(notice.recordingId)", "event": "recording_available",
            "duplicate": "\(announced == .duplicate)",
        ])
        return Answer(recordingId: notice.recordingId, status: announced == .stored ? "stored" : "duplicate")
    }

    private static func refusal(_ problem: WebhookSignature.Problem) -> APIError {
        switch problem {
        case .malformed(let what):
            APIError(.unauthorized, reason: ReasonCode.badSignature.rawValue, "The webhook is not signed: \(what).")
        case .mismatch:
            APIError(.unauthorized, reason: ReasonCode.badSignature.rawValue,
                     "The webhook's signature does not match: sign \"{timestamp}.{body}\" exactly as sent, with the secret "
                     + "callctl has in CALLCTL_RECORDING_WEBHOOK_SECRET.")
        case .stale(let age):
            APIError(.unauthorized, reason: ReasonCode.staleTimestamp.rawValue,
                     "The webhook's timestamp is \(abs(age)) s \(age < 0 ? "ahead of" : "behind") callctl's clock; at most "
                     + "\(Int(WebhookSignature.replayWindow)) s are accepted. Sign each delivery afresh and check both clocks (NTP).")
        }
    }

    private static func notice(from bytes: Data) throws -> RecordingNotice {
        let body: Body
        do {
            body = try JSONDecoder().decode(Body.self, from: bytes)
        } catch DecodingError.keyNotFound(let key, _) {
            throw APIError.validation("\(key.stringValue) is required.")
        } catch DecodingError.typeMismatch(_, let context) where !context.codingPath.isEmpty {
            throw APIError.validation("\(context.codingPath.map(\.stringValue).joined(separator: ".")) has the wrong type.")
        } catch {
            throw APIError.validation("The body is not a JSON object; send {\"recordingId\", \"appointmentId\", \"callId\", "
                                      + "\"location\", \"sizeBytes\", \"durationSeconds\"}.", status: .badRequest)
        }
        guard let callId = UUID(uuidString: body.callId) else { throw APIError.validation("callId must be a UUID.") }
        do {
            _ = try RecordingKey(body.location)
        } catch {
            throw APIError.validation("location must be the object's key in callctl's recording storage: \(error.description).")
        }
        return try RecordingNotice(recordingId: body.recordingId, appointmentId: body.appointmentId, callId: callId,
                                   location: body.location, sizeBytes: body.sizeBytes, durationSeconds: body.durationSeconds)
    }
}
