import Foundation
import LocalServices
import RecordingStorage

/// The demo's recording storage: a directory the demo writes files into as a recording service
/// would, served by a throwaway nginx running the shipped `location /recordings/` with
/// `secure_link` when nginx is installed; the daemon signs download links for it, and
/// `jobs purge-recordings` deletes from it. Removed with the demo.
final class DemoRecordings: Sendable {
    /// The storage directory (readable by nginx's workers).
    let directory: String
    /// nginx serving the directory, when it is installed and a server block was found.
    let nginx: ThrowawayNginx?
    private let secrets: DemoSecrets

    init(secrets: DemoSecrets, serverBlock: String?) throws {
        directory = try LocalHost.makeTemporaryDirectory(prefix: "callctl-demo-recordings")
        chmod(directory, 0o755)
        self.secrets = secrets
        do {
            if let serverBlock, ThrowawayNginx.isInstalled {
                nginx = try ThrowawayNginx(configuration: try String(contentsOfFile: serverBlock, encoding: .utf8), upstreamPort: 9,
                                           recordings: .init(root: directory, secret: secrets.linkSecret))
            } else {
                nginx = nil
            }
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    /// The public prefix of download links: nginx's, or a name that resolves nowhere without it.
    var linkBase: String { nginx.map { "https://127.0.0.1:\($0.port)/recordings" } ?? "https://recordings.invalid/recordings" }

    /// The variables `serve` and `jobs purge-recordings` read for this storage.
    var variables: [String: String] {
        [RecordingStorages.storageVariable: "file://\(directory)", RecordingStorages.linkBaseVariable: linkBase,
         RecordingStorages.linkSecretVariable: secrets.linkSecret, RecordingStorageSettings.webhookSecretVariable: secrets.webhookSecret]
    }

    /// Writes a recording's file at `key`, readable by nginx's workers.
    func write(_ bytes: Data, key: String) throws {
        let url = URL(fileURLWithPath: directory).appendingPathComponent(key)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
        try bytes.write(to: url)
        chmod(url.path, 0o644)
    }

    /// Whether the file at `key` exists.
    func exists(_ key: String) -> Bool {
        FileManager.default.fileExists(atPath: directory + "/" + key)
    }

    /// Stops nginx and removes the directory.
    func stop() {
        nginx?.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
