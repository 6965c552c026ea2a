import CallDomain
import Foundation
import Hummingbird

/// The JSON body of a recording command: `{"callId": "<uuid>", "granted": true|false}`
/// (`granted` only for `consent`). Unknown keys are ignored.
struct RecordingBody: Decodable {
    let callId: String?
    let granted: Bool?

    /// Reads at most `limit` bytes of the request body and decodes it.
    /// - Throws: ``APIError``: 413 over the limit, 400 for text that is not a JSON object,
    ///   422 naming the field for a value of the wrong type.
    static func read(_ request: Request, limit: Int) async throws -> RecordingBody {
        let bytes = try await request.boundedBody(limit: limit)
        do {
            return try JSONDecoder().decode(RecordingBody.self, from: bytes)
        } catch DecodingError.typeMismatch(_, let context) where !context.codingPath.isEmpty {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw APIError.validation("\(field) must be \(field == "granted" ? "true or false" : "a string").")
        } catch {
            throw APIError.validation("The request body is not a JSON object; send e.g. {\"callId\": \"…\"}.", status: .badRequest)
        }
    }

    /// The command named by the route's last segment, and the call it is about.
    /// - Throws: ``APIError`` 404 for an unknown command, 422 for a missing or malformed field.
    func command(_ name: String) throws -> (RecordingCommand, UUID) {
        let command: RecordingCommand
        switch name {
        case "consent":
            guard let granted else { throw APIError.validation("granted (true or false) is required for consent.") }
            command = .consent(granted: granted)
        case "start": command = .start
        case "stop": command = .stop
        default:
            throw APIError(.notFound, reason: ReasonCode.notFound.rawValue,
                           "There is no recording command \"\(name.prefix(32))\"; use consent, start or stop.")
        }
        guard let callId else { throw APIError.validation("callId is required for recording \(name).") }
        guard let id = UUID(uuidString: callId) else { throw APIError.validation("callId must be a UUID, e.g. the callId the request returned.") }
        return (command, id)
    }
}
