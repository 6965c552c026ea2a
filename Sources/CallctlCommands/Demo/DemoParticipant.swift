import Diagnostics
import Foundation
import HTTPClient

/// What the daemon answered to one lifecycle request.
struct DemoAnswer: Sendable {
    /// The HTTP status.
    let status: Int
    /// The JSON body's top-level members (strings and numbers as text).
    let fields: [String: String]

    /// `callId` of a call view.
    var callId: String? { fields["callId"] }
}

/// A participant's browser talking to the call lifecycle API over real HTTP (libcurl), with
/// the participant's bearer token; each request and its answer is printed.
struct DemoParticipant: Sendable {
    let person: DemoPerson
    let token: String
    let baseURL: String
    let output: Output

    /// `POST /appointments/{id}/call/{action}` with `{callId, peerId}`.
    @discardableResult
    func call(_ action: String, _ appointment: DemoAppointment, callId: String? = nil) async throws -> DemoAnswer {
        var body = ["peerId": "peer-\(person.role)-\(person.userId)"]
        if let callId { body["callId"] = callId }
        let json = try JSONSerialization.data(withJSONObject: body, options: .sortedKeys)
        return try await send("POST", "/appointments/\(appointment.id)/call/\(action)", body: json)
    }

    /// `POST /appointments/{id}/call/recording/{command}` with `{callId, granted}`.
    @discardableResult
    func recording(_ command: String, _ appointment: DemoAppointment, callId: String, granted: Bool = true) async throws -> DemoAnswer {
        let json = try JSONSerialization.data(withJSONObject: ["callId": callId, "granted": granted], options: .sortedKeys)
        return try await send("POST", "/appointments/\(appointment.id)/call/recording/\(command)", body: json)
    }

    /// `GET /appointments/{id}/recording` as a link the browser follows: the signed URL of the
    /// daemon's 302 (nil for another answer).
    func recordingLink(_ appointment: DemoAppointment) async throws -> String? {
        let path = "/appointments/\(appointment.id)/recording"
        let response = try await HTTPClient.send(HTTPRequest(method: "GET", url: baseURL + path, headers: [("Authorization", "Bearer \(token)")]))
        let location = response.headers["location"]
        output.line("        \(who) GET \(path) → \(response.status)" + (location.map { " to \($0.prefix(while: { $0 != "?" }))?md5=…&expires=…" } ?? ""))
        return response.status == 302 ? location : nil
    }

    /// `GET /appointments/{id}/call/ice-servers`: how many STUN/TURN entries the browser gets,
    /// and the warning it shows the user, if any.
    @discardableResult
    func iceServers(_ appointment: DemoAppointment) async throws -> (servers: Int, warning: String?) {
        let path = "/appointments/\(appointment.id)/call/ice-servers"
        let response = try await HTTPClient.send(HTTPRequest(method: "GET", url: baseURL + path, headers: headers))
        let object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any]
        let servers = (object?["iceServers"] as? [Any])?.count ?? 0
        let warning = object?["warning"] as? String
        output.line("        \(who) GET \(path) → \(response.status), \(servers) ICE server(s)"
            + (warning.map { ", warning: \($0)" } ?? ""))
        return (servers, warning)
    }

    /// `POST /appointments/{id}/call/peer`, then the PeerJS broker's WebSocket opened with the
    /// issued id and token, as the browser's `new Peer(peerId, {path, key, token})` does.
    func peer(_ appointment: DemoAppointment, callId: String) async throws -> (id: String, client: PeerJSClient) {
        let body = try JSONSerialization.data(withJSONObject: ["callId": callId])
        let answer = try await send("POST", "/appointments/\(appointment.id)/call/peer", body: body)
        guard answer.status == 200, let id = answer.fields["peerId"], let token = answer.fields["token"] else {
            throw DemoMismatch(description: "expected 200 with a peer id, got \(answer.status) \(answer.fields["reason"] ?? "")")
        }
        let socket = baseURL.replacingOccurrences(of: "http", with: "ws", options: .anchored)
        let client = try await PeerJSClient.connect(url: "\(socket)/peerjs/peerjs?key=\(answer.fields["broker.key"] ?? "")&id=\(id)&token=\(token)")
        output.line("        \(who) PeerJS    → OPEN as \(id)")
        return (id, client)
    }

    private var who: String { "\(person.name) (\(person.role))".padding(toLength: 28, withPad: " ", startingAt: 0) }

    private var headers: [(String, String)] {
        [("Authorization", "Bearer \(token)"), ("Accept", "application/json"), ("Content-Type", "application/json")]
    }

    private func send(_ method: String, _ path: String, body: Data) async throws -> DemoAnswer {
        let response = try await HTTPClient.send(HTTPRequest(method: method, url: baseURL + path, headers: headers, body: body))
        let object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any] ?? [:]
        func text(_ value: Any) -> String? {
            switch value {
            case let text as String: text
            case let number as NSNumber: number.stringValue
            default: nil
            }
        }
        var fields = object.compactMapValues(text)
        // One level of nesting, as `parent.member` (the peer answer's `broker.key`).
        for (name, value) in object {
            for (member, inner) in value as? [String: Any] ?? [:] { fields["\(name).\(member)"] = text(inner) }
        }
        let answer = DemoAnswer(status: response.status, fields: fields)
        let action = path.split(separator: "/").last.map(String.init) ?? path
        let outcome = (200..<300).contains(response.status)
            ? [fields["state"], fields["endReason"], fields["peerId"].map { "peer id \($0)" },
               fields["recording"].map { $0 == "1" ? "recording" : "not recording" }].compactMap { $0 }.joined(separator: " ")
            : "\(fields["reason"] ?? "?"): \(fields["error"] ?? "")"
        output.line("        \(who) \(action.padding(toLength: 9, withPad: " ", startingAt: 0)) → \(response.status) \(outcome)")
        return answer
    }

}
