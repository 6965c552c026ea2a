import Foundation

/// nginx on loopback running callctl's shipped server block (deploy/nginx/callctl.conf) in
/// front of a `serve` on `upstreamPort`, with a self-signed certificate for 127.0.0.1 and
/// localhost, for the demo and the tests. Only the listen address, the upstream port and the
/// certificate paths are changed; the rest is exactly what an operator installs. The process
/// runs in the foreground (`daemon off`), is reaped as soon as it exits, and `stop()` ends it
/// and removes its directory; a watchdog does the same if the owning process dies.
public final class ThrowawayNginx: Sendable {
    /// The temporary directory holding the configuration, certificate, key and error log.
    public let directory: String
    /// The HTTPS port on 127.0.0.1.
    public let port: Int
    /// The self-signed certificate (PEM): clients trust it as their CA file.
    public var certificatePath: String { directory + "/cert.pem" }
    private let process: ReapedChild
    private let watchdogID: pid_t?

    /// True when `nginx` and `openssl` are installed.
    public static var isInstalled: Bool { CommandRunner.which("nginx") != nil && CommandRunner.which("openssl") != nil }

    /// Where `location /recordings/` serves files from, and the `secure_link` secret its include
    /// file sets (nil: no include file, so nginx answers 503 to every link).
    public struct Recordings: Sendable {
        public let root: String
        public let secret: String?

        public init(root: String, secret: String?) {
            self.root = root
            self.secret = secret
        }
    }

    /// The lines of the shipped configuration this type rewrites, and what to.
    static func replacements(port: Int, upstreamPort: Int, directory: String) -> [(String, String)] {
        [
            ("server 127.0.0.1:8080;", "server 127.0.0.1:\(upstreamPort);"),
            ("    listen 443 ssl;\n", "    listen 127.0.0.1:\(port) ssl;\n"), ("    listen [::]:443 ssl;\n", ""),
            ("/etc/ssl/callctl/fullchain.pem", "\(directory)/cert.pem"), ("/etc/ssl/callctl/privkey.pem", "\(directory)/key.pem"),
            ("include /etc/callctl/nginx-recording-link[.]conf;", "include \(directory)/nginx-recording-link[.]conf;"),
        ]
    }

    /// Starts nginx with `configuration` (the text of deploy/nginx/callctl.conf) and waits
    /// until it accepts connections; with `recordings`, its `/recordings/` location serves that
    /// directory with that secret. Throws, naming the line, when the shipped text no longer has
    /// a line it must rewrite.
    public init(configuration: String, upstreamPort: Int, recordings: Recordings? = nil, stopWhenParentExits: Bool = true) throws {
        let directory = try LocalHost.makeTemporaryDirectory(prefix: "callctl-nginx")
        self.directory = directory
        do {
            let port = try LocalHost.freePort()
            self.port = port
            // nginx's workers run as nobody when started by root: they need to reach tmp/.
            chmod(directory, 0o755)
            try FileManager.default.createDirectory(atPath: directory + "/tmp", withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o777])
            try LocalHost.makeSelfSignedCertificate(in: directory, for: "nginx")
            var text = configuration
            var replacements = Self.replacements(port: port, upstreamPort: upstreamPort, directory: directory)
            if let recordings {
                replacements.append(("alias /var/lib/callctl/recordings/;", "alias \(recordings.root)/;"))
                if let secret = recordings.secret {
                    try "set $callctl_recording_link_secret \"\(secret)\";\n".write(toFile: directory + "/nginx-recording-link.conf",
                                                                                    atomically: true, encoding: .utf8)
                    chmod(directory + "/nginx-recording-link.conf", 0o600)
                }
            }
            for (from, to) in replacements {
                guard text.contains(from) else {
                    throw LocalServiceError("the nginx configuration no longer has `\(from.trimmingCharacters(in: .whitespacesAndNewlines))`")
                }
                text = text.replacingOccurrences(of: from, with: to)
            }
            try text.write(toFile: directory + "/callctl.conf", atomically: true, encoding: .utf8)
            let temporary = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map { "\($0)_temp_path \(directory)/tmp;" }
            try """
                pid \(directory)/nginx.pid;
                error_log \(directory)/error.log warn;
                events { worker_connections 256; }
                http { access_log off; \(temporary.joined(separator: " ")) include \(directory)/callctl.conf; }
                """.write(toFile: directory + "/nginx.conf", atomically: true, encoding: .utf8)
            process = try ReapedChild(["nginx", "-p", directory, "-c", directory + "/nginx.conf", "-g", "daemon off;"])
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
        // SIGTERM first: the master ends its workers, whose command lines name no directory.
        let cleanup = LocalHost.killCommand(pid: process.pid, directory: directory, graceful: true)
        watchdogID = stopWhenParentExits ? try? LocalHost.startWatchdog(cleanup: cleanup, directory: directory) : nil
        do {
            try waitUntilReady()
        } catch {
            stop()
            throw error
        }
    }

    /// Stops nginx (SIGTERM, so the master ends its workers; SIGKILL after 5 s) and its
    /// watchdog, and removes the directory.
    public func stop() {
        process.stop(signal: SIGTERM)
        if let watchdogID { LocalHost.kill(watchdogID) }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The end of nginx's error log, for error messages.
    public func logTail(_ characters: Int = 2000) -> String {
        String(((try? String(contentsOfFile: directory + "/error.log", encoding: .utf8)) ?? "").suffix(characters))
    }

    private func waitUntilReady() throws {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            guard process.isRunning else { throw LocalServiceError("nginx exited at start: \(logTail())") }
            if LoopbackCheck.accepts(port: port) { return }
            usleep(20_000)
        }
        throw LocalServiceError("nginx did not accept on 127.0.0.1:\(port) within 10 s: \(logTail())")
    }
}
