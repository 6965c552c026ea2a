import Foundation
import LocalServices
import PusherProtocol
import Testing

/// Third-party judges of `callctl serve`'s Pusher surfaces: the official `pusher` Python
/// library (run through `Peers/pusher_api.py` by the package's `.venv`, which
/// `scripts/setup.sh` creates), and requests signed here with ``PusherRequestSigner`` for what
/// that library refuses to send (too many channels, too much data, old timestamps).
struct PusherPeer {
    let server: ServeProcess
    var appID = ServeProcess.appID
    var key = ServeProcess.appKey
    var secret = ServeProcess.appSecret

    /// The package's root folder, three levels above this file.
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// `<package root>/.venv/bin/python`.
    static var python: String { packageRoot.appendingPathComponent(".venv/bin/python").path }

    /// What the library answered: its result, or the exception it raised.
    struct Answer: @unchecked Sendable {
        let ok: Bool
        let result: Any?
        /// The result as compact JSON text with sorted keys, e.g. `{"occupied":false}`; empty on an error.
        let resultJSON: String
        /// The exception class (`PusherBadAuth`, `PusherBadRequest`, `PusherBadStatus`, …).
        let error: String?
        /// The exception text: the daemon's response body, prefixed by the status for `PusherBadStatus`.
        let message: String

        /// The result as a JSON object; empty when it is not one.
        var object: [String: Any] { result as? [String: Any] ?? [:] }
        /// The `reason` of the daemon's error body inside ``message``.
        var reason: String? {
            guard let start = message.firstIndex(of: "{") else { return nil }
            let body = try? JSONSerialization.jsonObject(with: Data(message[start...].utf8)) as? [String: Any]
            return body?["reason"] as? String
        }
    }

    /// Runs `pusher_api.py` with `action` and `params` (objects passed with sorted keys) against the daemon.
    /// - Throws: when the virtual environment is missing or the helper does not print JSON.
    func call(_ action: String, _ params: [String: Any] = [:]) throws -> Answer {
        guard FileManager.default.isExecutableFile(atPath: Self.python) else {
            throw LocalServiceError("\(Self.python) is missing: run scripts/setup.sh (callctl_python_peers) to create the Python venv "
                                    + "with the official pusher library these tests use as a judge.")
        }
        let script = Self.packageRoot.appendingPathComponent("Tests/CallctlIntegrationTests/Peers/pusher_api.py").path
        // Sorted keys: Python keeps the order it reads, and e.g. a presence member's
        // user_id, user_info {id, name} is then in the order Laravel writes it.
        let text = String(decoding: try JSONSerialization.data(withJSONObject: params, options: .sortedKeys), as: UTF8.self)
        let outcome = try CommandRunner.run([Self.python, script, "127.0.0.1", String(server.port), appID, key, secret, action, text])
        guard outcome.status == 0,
              let object = try? JSONSerialization.jsonObject(with: Data(outcome.standardOutput.utf8)) as? [String: Any] else {
            throw LocalServiceError("pusher_api.py \(action) failed (status \(outcome.status)): \(outcome.standardOutput) \(outcome.standardError)")
        }
        return Answer(ok: object["ok"] as? Bool == true, result: object["result"], resultJSON: object["result_json"] as? String ?? "",
                      error: object["error"] as? String, message: object["message"] as? String ?? "")
    }

    /// Sends a request signed for this peer's app, key and secret at `timestamp` (default now).
    /// `signedBody` is what `body_md5` is computed over (default: the body sent); `appending`
    /// is raw query text added after the signed parameters (e.g. a parameter named twice).
    func signed(_ method: String, _ path: String, query: [String: String] = [:], json: Any? = nil, body: Data? = nil,
                signedBody: Data? = nil, timestamp: Int? = nil, appending: String = "") throws -> ServeResponse {
        let request = try Self.signedRequest(method, path, app: PusherApp(id: appID, key: key, secret: secret), query: query,
                                             json: json, body: body, signedBody: signedBody, timestamp: timestamp, appending: appending)
        return try server.request(method, request.path, body: request.body, headers: request.headers)
    }

    /// The path with its signed query, and the body and headers to send it with, for a request
    /// signed for `app` as ``signed(_:_:query:json:body:signedBody:timestamp:appending:)`` sends it.
    static func signedRequest(_ method: String, _ path: String, app: PusherApp, query: [String: String] = [:], json: Any? = nil,
                              body: Data? = nil, signedBody: Data? = nil, timestamp: Int? = nil,
                              appending: String = "") throws -> (path: String, body: Data?, headers: [(String, String)]) {
        let payload = try body ?? json.map { try JSONSerialization.data(withJSONObject: $0) } ?? Data()
        let params = PusherRequestSigner.sign(method: method, path: path, query: query, body: signedBody ?? payload, app: app,
                                              timestamp: timestamp ?? Int(Date().timeIntervalSince1970))
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        let text = params.sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.value)" }
            .joined(separator: "&")
        return ("\(path)?\(text)\(appending)", payload.isEmpty ? nil : payload,
                payload.isEmpty ? [] : [("Content-Type", "application/json")])
    }

    /// `POST /apps/{id}/events` with `body`, signed.
    func trigger(_ body: [String: Any], timestamp: Int? = nil) throws -> ServeResponse {
        try signed("POST", "/apps/\(appID)/events", json: body, timestamp: timestamp)
    }
}
