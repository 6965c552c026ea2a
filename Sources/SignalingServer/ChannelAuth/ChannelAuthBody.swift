import Foundation
import Hummingbird
import PusherProtocol

/// The body of `POST /broadcasting/auth`: `socket_id` and `channel_name`, as a form
/// (`application/x-www-form-urlencoded`, what pusher-js and Echo send) or as a JSON object.
/// Other fields (an authorizer's custom params) are ignored.
struct ChannelAuthBody: Equatable {
    /// The connection asking, validated.
    let socketID: SocketID
    /// The channel asked for, not yet validated (the domain's rules parse it).
    let channelName: String

    /// The raw fields, before validation.
    struct Fields: Decodable, Equatable {
        var socketID: String?
        var channelName: String?

        enum CodingKeys: String, CodingKey {
            case socketID = "socket_id"
            case channelName = "channel_name"
        }
    }

    /// Reads at most `limit` bytes of the request body and decodes its fields; ``validate(_:)``
    /// checks them.
    /// - Throws: ``APIError``: 413 over the limit, 400 for a JSON body that is not an object,
    ///   422 naming a field that is not a string.
    static func fields(of request: Request, limit: Int) async throws -> Fields {
        let bytes = try await request.boundedBody(limit: limit, hint: "; send only socket_id and channel_name")
        return try parse(bytes, contentType: request.headers[.contentType])
    }

    /// Decodes the fields of a form or JSON body; JSON when the content type says so or, without
    /// a content type, when the body starts with `{`.
    static func parse(_ bytes: Data, contentType: String?) throws -> Fields {
        let mediaType = contentType?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        let looksLikeJSON = bytes.first { !" \t\r\n".utf8.contains($0) } == UInt8(ascii: "{")
        if mediaType == "application/json" || (mediaType == nil && looksLikeJSON) {
            do {
                return try JSONDecoder().decode(Fields.self, from: bytes)
            } catch DecodingError.typeMismatch(_, let context) where !context.codingPath.isEmpty {
                throw APIError.validation("\(context.codingPath.map(\.stringValue).joined(separator: ".")) must be a string.")
            } catch {
                throw APIError.validation("The request body is not a JSON object; send {\"socket_id\": \"…\", \"channel_name\": \"…\"}.",
                                          status: .badRequest)
            }
        }
        return Fields(form: String(decoding: bytes, as: UTF8.self))
    }

    /// Checks that both fields are present and well-formed.
    /// - Throws: ``APIError`` 422 `validation` naming the field.
    static func validate(_ fields: Fields) throws -> ChannelAuthBody {
        guard let socketText = fields.socketID, !socketText.isEmpty else {
            throw APIError.validation("socket_id is required: the id pusher:connection_established gave the connection.")
        }
        guard let socketID = SocketID(socketText) else {
            throw APIError.validation("socket_id must be two runs of digits joined by a dot, e.g. 1234.5678; got \"\(socketText.prefix(48))\".")
        }
        guard let channelName = fields.channelName, !channelName.isEmpty else {
            throw APIError.validation("channel_name is required, e.g. private-appointments.42.")
        }
        return ChannelAuthBody(socketID: socketID, channelName: channelName)
    }
}

extension ChannelAuthBody.Fields {
    /// The fields of an `application/x-www-form-urlencoded` body: `+` is a space, `%XX` a
    /// byte (a value with a broken escape is kept as sent, for validation to name); the first
    /// occurrence of a field wins.
    init(form: String) {
        var values: [String: String] = [:]
        for pair in form.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = Self.decode(parts[0]), values[key] == nil else { continue }
            values[key] = parts.count > 1 ? Self.decode(parts[1]) ?? String(parts[1]) : ""
        }
        self.init(socketID: values["socket_id"], channelName: values["channel_name"])
    }

    private static func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
