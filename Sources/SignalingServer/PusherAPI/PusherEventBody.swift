import Foundation
import PusherProtocol

/// The HTTP API's limits: Pusher's, with the data limit taken from the hub's settings.
struct PusherAPILimits: Sendable {
    /// Most channels one event may be triggered on.
    static let maximumChannels = 100
    /// Most events in one `batch_events` request.
    static let maximumBatchEvents = 10

    /// Largest `data` of one event, in UTF-8 bytes (the hub's `maximumMessageBytes`).
    let maximumDataBytes: Int

    /// Largest `/events` body: the data, JSON-escaped, plus 100 channel names.
    var eventsBodyBytes: Int { max(64 * 1024, 2 * maximumDataBytes + 24 * 1024) }
    /// Largest `/batch_events` body: ten events.
    var batchBodyBytes: Int { max(256 * 1024, Self.maximumBatchEvents * (2 * maximumDataBytes + 2 * 1024)) }
}

/// One event as `POST /apps/{id}/events` takes it (and, with a single `channel`, as an item of
/// `batch_events`): `name`, `data` (a string, usually JSON text), `channel` or `channels`,
/// and optionally `socket_id` (the sender, left out) and `info` (attributes to answer with).
struct PusherEventBody: Decodable {
    var name: String?
    var data: String?
    var channel: String?
    var channels: [String]?
    var socketID: String?
    var info: String?

    enum CodingKeys: String, CodingKey {
        case name, data, channel, channels, info
        case socketID = "socket_id"
    }

    /// The body of `batch_events`.
    struct Batch: Decodable {
        var batch: [PusherEventBody]?
    }

    /// Decodes a JSON body.
    /// - Throws: ``APIError`` 400 `validation` naming a member of the wrong type, or saying the
    ///   body is not a JSON object.
    static func decode<Body: Decodable>(_ type: Body.Type, from body: Data) throws -> Body {
        do {
            return try JSONDecoder().decode(type, from: body)
        } catch DecodingError.typeMismatch(let expected, let context) where !context.codingPath.isEmpty {
            let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().dropFirst()
            let kind = expected == String.self ? "a string (JSON-encode objects into it)" : "of another type"
            throw APIError.validation("\(path) must be \(kind).", status: .badRequest)
        } catch {
            throw APIError.validation("The body is not the JSON object the Pusher HTTP API takes; send e.g. "
                                      + "{\"name\": \"…\", \"data\": \"…\", \"channels\": [\"…\"]}.", status: .badRequest)
        }
    }

    /// The validated event: one ``HubEvent`` per distinct channel, in order, and the attributes
    /// asked for. `item` is the index within a batch (which allows only `channel`), nil for `/events`.
    /// - Throws: ``APIError``: 400 `validation` naming the member, 400 `too_many_channels` beyond
    ///   100 channels, 413 `too_large` for data over the limit.
    func events(app: PusherApp, limits: PusherAPILimits, item: Int? = nil) throws -> (events: [HubEvent], info: ChannelAttributes) {
        let at = item.map { "batch[\($0)]." } ?? ""
        func invalid(_ message: String) -> APIError { APIError.validation(at + message, status: .badRequest) }
        guard let name, !name.isEmpty else { throw invalid("name is required: the event name, e.g. App\\Events\\AppointmentCallEnded.") }
        guard name.utf8.count <= PusherChannelName.maxEventNameLength else {
            throw invalid("name is \(name.utf8.count) bytes long; at most \(PusherChannelName.maxEventNameLength) are allowed.")
        }
        guard !name.hasPrefix("pusher:"), !name.hasPrefix("pusher_internal:") else {
            throw invalid("name \"\(name.prefix(32))\" uses a prefix the protocol reserves (pusher:, pusher_internal:); rename the event.")
        }
        guard let data else { throw invalid("data is required: a string, usually JSON text.") }
        guard data.utf8.count <= limits.maximumDataBytes else {
            throw APIError(.contentTooLarge, reason: "too_large", at + "data is \(data.utf8.count) bytes; at most "
                           + "\(limits.maximumDataBytes) are allowed (serve --max-message-size): send less, e.g. ids to fetch.")
        }
        let names = try channelNames(item: item, invalid: invalid)
        var excluded: String?
        if let socketID {
            guard SocketID(socketID) != nil else {
                throw invalid("socket_id must be two runs of digits joined by a dot, e.g. 1234.5678; got \"\(socketID.prefix(48))\".")
            }
            excluded = socketID
        }
        let events = names.map { HubEvent(appID: app.id, channel: $0, event: name, data: data, excludedSocket: excluded) }
        return (events, try ChannelAttributes(info: info, prefix: at))
    }

    private func channelNames(item: Int?, invalid: (String) -> APIError) throws -> [String] {
        if item != nil, channels != nil {
            throw invalid("channels is not allowed in a batch; give each event a single channel.")
        }
        let given = channels ?? channel.map { [$0] } ?? []
        guard !given.isEmpty else { throw invalid("channel or channels is required, e.g. \"channels\": [\"private-appointments.42\"].") }
        guard given.count <= PusherAPILimits.maximumChannels else {
            throw APIError(.badRequest, reason: "too_many_channels",
                           "An event may go to at most \(PusherAPILimits.maximumChannels) channels; got \(given.count): split it into several requests.")
        }
        var seen = Set<String>()
        for name in given where PusherChannelName(name) == nil {
            throw invalid("channel \"\(name.prefix(48))\" is not a valid channel name: 1–\(PusherChannelName.maxLength) "
                          + "characters of A-Z a-z 0-9 _ - = @ , . ;")
        }
        return given.filter { seen.insert($0).inserted }
    }
}
