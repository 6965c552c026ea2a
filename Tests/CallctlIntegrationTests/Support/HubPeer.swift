import Foundation
import LocalServices

/// Browser-side WebSocket clients from the `websockets` Python library, scripted by
/// `Peers/hub_peer.py` (and `Peers/lock_peer.py`, the edit lock's scenarios): each scenario
/// connects to one or more daemons, plays its part and prints what it observed as one JSON object.
enum HubPeer {
    /// Runs `scenario` of `file` against `servers` (clients are spread over them in turn) with the
    /// scenario's own `arguments`; the JSON object it printed.
    static func run(_ scenario: String, _ servers: [ServeProcess], _ arguments: [String: Any] = [:],
                    file: String = "hub_peer.py") throws -> [String: Any] {
        guard FileManager.default.isExecutableFile(atPath: PusherPeer.python) else {
            throw LocalServiceError("\(PusherPeer.python) is missing: run scripts/setup.sh (callctl_python_peers) to create the "
                                    + "Python venv with the websockets library these tests use as the browser side.")
        }
        var all: [String: Any] = [
            "ws": servers.map { "ws://127.0.0.1:\($0.port)" }, "http": servers.map { "http://127.0.0.1:\($0.port)" },
            "app_id": ServeProcess.appID, "key": ServeProcess.appKey, "secret": ServeProcess.appSecret,
        ]
        all.merge(arguments) { $1 }
        return try script(file, scenario, all, servers)
    }

    /// Runs `Peers/{file} scenario arguments`; the JSON object it printed last.
    static func script(_ file: String, _ scenario: String, _ arguments: [String: Any], _ servers: [ServeProcess]) throws -> [String: Any] {
        let script = PusherPeer.packageRoot.appendingPathComponent("Tests/CallctlIntegrationTests/Peers/\(file)").path
        let text = String(decoding: try JSONSerialization.data(withJSONObject: arguments), as: UTF8.self)
        let outcome = try CommandRunner.run([PusherPeer.python, script, scenario, text])
        guard outcome.status == 0, let line = outcome.standardOutput.split(separator: "\n").last,
              let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw LocalServiceError("\(file) \(scenario) failed (status \(outcome.status)): \(outcome.standardOutput)\n"
                                    + "\(outcome.standardError.suffix(3000))\ndaemon: \(servers.map { $0.standardError.suffix(2000) })")
        }
        return object
    }
}

extension Dictionary where Key == String, Value == Any {
    /// The nested value at a dotted path such as `"first.data.code"`.
    subscript(path path: String) -> Any? {
        var current: Any? = self
        for key in path.split(separator: ".") {
            current = (current as? [String: Any])?[String(key)]
        }
        return current
    }
}
