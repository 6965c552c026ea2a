import CallDomain
import Foundation
import Hummingbird

/// The JSON body of a lifecycle command: `{"callId": "<uuid>", "peerId": "<PeerJS id>"}`,
/// both optional in the JSON and required where the command needs them. Unknown keys are
/// ignored; an empty body reads as `{}`.
struct CommandBody: Decodable {
    /// Longest PeerJS id accepted.
    static let maximumPeerIdLength = 128

    let callId: String?
    let peerId: String?

    /// Reads at most `limit` bytes of the request body and decodes it.
    /// - Throws: ``APIError``: 413 over the limit, 400 for text that is not a JSON object,
    ///   422 naming the field for a value of the wrong type.
    static func read(_ request: Request, limit: Int) async throws -> CommandBody {
        let bytes = try await request.boundedBody(limit: limit)
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return CommandBody(callId: nil, peerId: nil) }
        do {
            return try JSONDecoder().decode(CommandBody.self, from: bytes)
        } catch DecodingError.typeMismatch(_, let context) where !context.codingPath.isEmpty {
            throw APIError.validation("\(context.codingPath.map(\.stringValue).joined(separator: ".")) must be a string.")
        } catch {
            throw APIError.validation("The request body is not a JSON object; send e.g. {\"callId\": \"…\"}.", status: .badRequest)
        }
    }

    private init(callId: String?, peerId: String?) {
        self.callId = callId
        self.peerId = peerId
    }

    /// The command named by the route's last segment, with this body's callId.
    /// - Throws: ``APIError`` 422 for a missing or malformed callId; 404 for an unknown action.
    func command(action: String) throws -> CallCommand {
        if action == "request" { return .request }
        let make: ((UUID) -> CallCommand)? = switch action {
        case "accept": CallCommand.accept
        case "decline": CallCommand.decline
        case "cancel": CallCommand.cancel
        case "started": CallCommand.started
        case "heartbeat": CallCommand.heartbeat
        case "end": CallCommand.end
        default: nil
        }
        guard let make else {
            throw APIError(.notFound, reason: ReasonCode.notFound.rawValue,
                           "There is no call action \"\(action.prefix(32))\"; use request, accept, decline, cancel, started, heartbeat or end.")
        }
        guard let callId else { throw APIError.validation("callId is required for \(action).") }
        guard let id = UUID(uuidString: callId) else { throw APIError.validation("callId must be a UUID, e.g. the callId the request returned.") }
        return make(id)
    }

    /// The peerId, validated: 1–128 characters of letters, digits, `-`, `_` and `.`.
    func validatedPeerId() throws -> String? {
        guard let peerId else { return nil }
        let allowed = peerId.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0)) }
        guard !peerId.isEmpty, peerId.count <= Self.maximumPeerIdLength, allowed else {
            throw APIError.validation("peerId must be 1–\(Self.maximumPeerIdLength) letters, digits, '-', '_' or '.'.")
        }
        return peerId
    }
}
