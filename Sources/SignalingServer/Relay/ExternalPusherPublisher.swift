import CallStore
import Foundation
import HTTPClient
import PusherProtocol

/// Sends outbox rows to an external Pusher server with `POST /apps/{id}/batch_events`, signed
/// as Pusher's HTTP API requires (`body_md5`, `auth_key`, `auth_timestamp`, `auth_version`,
/// `auth_signature`). ``send(_:)`` blocks on libcurl: call it from a thread of its own or a
/// dispatch queue, never from Swift's cooperative pool.
public struct ExternalPusherPublisher: Sendable {
    /// Pusher's limit on events per batch request.
    public static let batchLimit = 10

    /// Where the rows go.
    public let target: ExternalPusherTarget
    /// The limit on one request, connection included.
    public let timeout: Duration
    private let now: @Sendable () -> Date

    /// Creates a publisher; `now` stamps `auth_timestamp`.
    public init(target: ExternalPusherTarget, timeout: Duration = .seconds(5), now: @escaping @Sendable () -> Date = { Date() }) {
        self.target = target
        self.timeout = timeout
        self.now = now
    }

    /// Sends up to ``batchLimit`` rows as one batch, in order; success means the server
    /// answered 2xx.
    public func send(_ rows: [OutboxRow]) -> Result<Void, ExternalPublishError> {
        precondition(rows.count <= Self.batchLimit, "a Pusher batch holds at most \(Self.batchLimit) events")
        guard !rows.isEmpty else { return .success(()) }
        let body: Data
        do {
            body = try Self.body(rows)
        } catch {
            return .failure(ExternalPublishError("rows \(rows[0].id)–\(rows[rows.count - 1].id) could not be encoded as a "
                + "Pusher batch (\(error)); check their channel and event names", affectsEveryBatch: false))
        }
        let path = target.batchEventsPath
        let query = PusherRequestSigner.sign(method: "POST", path: path, body: body, app: target.app,
                                             timestamp: Int(now().timeIntervalSince1970))
        let request = HTTPRequest(method: "POST", url: target.origin + path + "?" + Self.queryString(query),
                                  headers: [("Content-Type", "application/json")], body: body, timeout: timeout)
        let response: HTTPResponse
        do {
            response = try HTTPClient.send(request)
        } catch {
            return .failure(.transport(error, target: target, timeout: timeout))
        }
        guard (200..<300).contains(response.status) else {
            return .failure(.answer(status: response.status, body: response.body, target: target))
        }
        return .success(())
    }

    private struct Batch: Encodable {
        struct Event: Encodable {
            let channel: String
            let name: String
            let data: String
        }
        let batch: [Event]
    }

    /// `{"batch": [{"channel", "name", "data"}, …]}`, data being the payload's JSON text.
    static func body(_ rows: [OutboxRow]) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return try encoder.encode(Batch(batch: rows.map { Batch.Event(channel: $0.channel, name: $0.event, data: $0.payloadJSONText) }))
    }

    /// The signed parameters as a query string, keys sorted, values percent-encoded.
    static func queryString(_ parameters: [String: String]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return parameters.sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.value)" }
            .joined(separator: "&")
    }
}
