import CallctlConfig
import Foundation
import PusherProtocol
import SignalingServer

/// The Pusher apps `serve` hosts: one from `REVERB_APP_ID`, `REVERB_APP_KEY` and
/// `REVERB_APP_SECRET` (as Laravel's `.env` has them), or several from the JSON file named by
/// `CALLCTL_PUSHER_APPS`: `[{"id": "…", "key": "…", "secret": "…"}, …]`, the first the default.
enum ServeApps {
    static let idVariable = "REVERB_APP_ID"
    static let keyVariable = "REVERB_APP_KEY"
    static let secretVariable = "REVERB_APP_SECRET"
    static let fileVariable = "CALLCTL_PUSHER_APPS"

    static func load(_ environment: Environment) throws -> PusherApps {
        if let path = environment[fileVariable], !path.isEmpty {
            return try fromFile(path)
        }
        let values = [idVariable, keyVariable, secretVariable].map { environment[$0].flatMap { $0.isEmpty ? nil : $0 } }
        guard let id = values[0], let key = values[1], let secret = values[2] else {
            let missing = zip([idVariable, keyVariable, secretVariable], values).filter { $0.1 == nil }.map(\.0)
            throw Failure(message: "the WebSocket hub needs its Pusher app credentials: set \(missing.joined(separator: ", ")) "
                          + "(the values of the Laravel app's .env, via --env-file) or \(fileVariable) for several apps",
                          exitCode: Failure.configuration)
        }
        return try checked([PusherApp(id: id, key: key, secret: secret)], origin: "\(idVariable)/\(keyVariable)/\(secretVariable)")
    }

    private struct Entry: Decodable {
        let id: String
        let key: String
        let secret: String
    }

    private static func fromFile(_ path: String) throws -> PusherApps {
        guard case .data(let data) = SmallFile.read(path, limit: 256 * 1024) else {
            throw Failure(message: "\(fileVariable) points at \(path), which is not a readable file under 256 KiB",
                          exitCode: Failure.configuration)
        }
        let entries: [Entry]
        do {
            entries = try JSONDecoder().decode([Entry].self, from: data)
        } catch {
            throw Failure(message: "\(path) (\(fileVariable)) must be a JSON array of {\"id\", \"key\", \"secret\"} objects",
                          exitCode: Failure.configuration)
        }
        return try checked(entries.map { PusherApp(id: $0.id, key: $0.key, secret: $0.secret) }, origin: path)
    }

    private static func checked(_ apps: [PusherApp], origin: String) throws -> PusherApps {
        for app in apps {
            guard !app.id.isEmpty, !app.key.isEmpty, app.id.utf8.count <= 64, app.key.utf8.count <= 64,
                  app.id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }),
                  app.key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
                throw Failure(message: "\(origin): app ids and keys must be 1–64 letters, digits, - or _ (app \(app.id.prefix(64)))",
                              exitCode: Failure.configuration)
            }
            guard app.secret.utf8.count >= 8 else {
                throw Failure(message: "\(origin): the secret of app \(app.id) is shorter than 8 bytes; use a long random value",
                              exitCode: Failure.configuration)
            }
        }
        guard let apps = PusherApps(apps) else {
            throw Failure(message: "\(origin): list at least one app, and no id or key twice", exitCode: Failure.configuration)
        }
        return apps
    }
}
