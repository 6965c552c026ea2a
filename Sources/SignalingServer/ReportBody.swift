import CallDomain
import Foundation
import Hummingbird

/// The JSON body of `POST …/call/report`: `callId`, `kind` (`error`, `ice`, `quality`) and the
/// kind's fields (`name`, `message`; `candidateType`, `transport`; `rttMs`,
/// `packetLossPercent`, `jitterMs`). Unknown keys are ignored.
struct ReportBody: Decodable {
    let callId: String?
    let kind: String?
    let name: String?
    let message: String?
    let candidateType: String?
    let transport: String?
    let rttMs: Double?
    let packetLossPercent: Double?
    let jitterMs: Double?

    /// Reads at most `limit` bytes and decodes them.
    /// - Throws: ``APIError``: 413 over the limit, 400 for text that is not a JSON object, 422
    ///   naming a field of the wrong type.
    static func read(_ request: Request, limit: Int) async throws -> ReportBody {
        let bytes = try await request.boundedBody(limit: limit)
        do {
            return try JSONDecoder().decode(ReportBody.self, from: bytes)
        } catch DecodingError.typeMismatch(_, let context) where !context.codingPath.isEmpty {
            throw APIError.validation("\(context.codingPath.map(\.stringValue).joined(separator: ".")) has the wrong type.")
        } catch {
            throw APIError.validation("The request body is not a JSON object; send e.g. {\"callId\": \"…\", \"kind\": \"ice\", "
                + "\"candidateType\": \"relay\"}.", status: .badRequest)
        }
    }

    /// The call and the validated report.
    /// - Throws: ``APIError`` 422 naming what is missing or out of range.
    func report() throws -> (callId: UUID, report: CallReport) {
        guard let text = callId, let id = UUID(uuidString: text) else {
            throw APIError.validation("callId is required: the UUID of the call the report is about.")
        }
        do {
            return (id, try CallReport(kind: kind ?? "", name: name, message: message, candidateType: candidateType, transport: transport,
                                       rttMs: rttMs, packetLossPercent: packetLossPercent, jitterMs: jitterMs))
        } catch {
            throw APIError(error)
        }
    }
}
