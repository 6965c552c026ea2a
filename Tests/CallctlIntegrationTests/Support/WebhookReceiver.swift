import Foundation
import LocalServices

/// A loopback receiver of Pusher webhooks (`Peers/webhook_receiver.py`, run by the package's
/// `.venv`) that checks every request with the official `pusher` library's `validate_webhook`
/// and records it. `port` 0 takes a free port; a known port lets a test stop the receiver and
/// bring it back at the same address.
final class WebhookReceiver: @unchecked Sendable {
    /// One request as the library judged it.
    struct Request: @unchecked Sendable {
        let key: String
        let valid: Bool
        let contentType: String?
        let events: [[String: Any]]
    }

    let port: Int
    private let process: ScratchProcess

    /// Starts the receiver for the apps (`id`, `key`, `secret`) on `port` (0: any free port).
    init(apps: [[String: String]] = [["id": ServeProcess.appID, "key": ServeProcess.appKey, "secret": ServeProcess.appSecret]],
         port: Int = 0) throws {
        guard FileManager.default.isExecutableFile(atPath: PusherPeer.python) else {
            throw LocalServiceError("\(PusherPeer.python) is missing: run scripts/setup.sh (callctl_python_peers) to create the "
                                    + "Python venv with the official pusher library these tests use as a judge.")
        }
        let script = PusherPeer.packageRoot.appendingPathComponent("Tests/CallctlIntegrationTests/Peers/webhook_receiver.py").path
        let appsText = String(decoding: try JSONSerialization.data(withJSONObject: apps), as: UTF8.self)
        (process, self.port) = try PortFileProcess.start(
            label: "callctl-webhooks", failure: "the webhook receiver (webhook_receiver.py) did not start on port \(port)"
        ) { directory, _ in [PusherPeer.python, script, directory.path, "\(port)", "\(getpid())", appsText] }
    }

    /// The URL to configure.
    var url: String { "http://127.0.0.1:\(port)/pusher/webhook" }

    /// Stops the receiver (its record stays readable).
    func stop() { process.stop() }

    /// Requests received so far, in order.
    var received: [Request] {
        let text = (try? String(contentsOf: process.directory.appendingPathComponent("requests"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return Request(key: object["key"] as? String ?? "", valid: object["valid"] as? Bool == true,
                           contentType: object["content_type"] as? String, events: object["events"] as? [[String: Any]] ?? [])
        }
    }

    /// Every event of every request, in the order received, as `name channel [user_id|event]`.
    var events: [String] {
        received.flatMap(\.events).map(Self.summary)
    }

    /// `channel_occupied room`, `member_added presence-x 7`, `client_event private-x client-typing`.
    static func summary(_ event: [String: Any]) -> String {
        let name = event["name"] as? String ?? "?"
        let channel = event["channel"] as? String ?? "?"
        if name == "client_event" { return "\(name) \(channel) \(event["event"] as? String ?? "?")" }
        if let user = event["user_id"] as? String { return "\(name) \(channel) \(user)" }
        return "\(name) \(channel)"
    }
}
