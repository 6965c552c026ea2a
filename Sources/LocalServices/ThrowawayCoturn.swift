import Foundation

/// A coturn TURN/STUN server of its own on loopback, for the demo and the tests: free
/// ports, a temporary directory with its log, database and a self-signed TLS certificate,
/// relaying only on 127.0.0.1 and allowing loopback peers. The credentials are in a config
/// file of mode 0600 (`-c`), never on the command line where `ps` shows them. The process is
/// reaped as soon as it exits, also when killed by someone else. `stop()` ends it and removes
/// everything; a watchdog does the same if the owning process dies without stopping it.
public final class ThrowawayCoturn: Sendable {
    /// How clients authenticate.
    public enum Authentication: Sendable {
        /// TURN REST credentials (coturn's `use-auth-secret`) made from this shared secret.
        case sharedSecret(String)
        /// One long-term user (coturn's `lt-cred-mech`).
        case user(name: String, password: String)
    }

    /// The temporary directory holding the certificate, key, log and database.
    public let directory: String
    /// The UDP and TCP port on 127.0.0.1.
    public let port: Int
    /// The TLS port on 127.0.0.1.
    public let tlsPort: Int
    /// The realm of long-term credentials.
    public let realm: String
    /// The server's self-signed certificate (PEM), valid for 127.0.0.1 and localhost:
    /// clients trust it as their CA file.
    public let certificatePath: String
    /// The `turnserver` process.
    public var processID: pid_t { process.pid }
    /// The config file holding the credentials (mode 0600).
    public var configurationPath: String { directory + "/turnserver.conf" }
    private let process: ReapedChild
    private let watchdogID: pid_t?

    /// True when `turnserver` is on the `PATH` (or in `/usr/bin`, `/usr/sbin`).
    public static var isInstalled: Bool { CommandRunner.which("turnserver") != nil }

    /// Makes a certificate, starts `turnserver` and waits until it answers.
    /// - Parameter stopWhenParentExits: start a watchdog that stops the server once this process is gone.
    public init(authentication: Authentication, realm: String = "callctl.test", stopWhenParentExits: Bool = true) throws {
        directory = try LocalHost.makeTemporaryDirectory(prefix: "callctl-turn")
        self.realm = realm
        certificatePath = directory + "/cert.pem"
        do {
            port = try LocalHost.freePort()
            tlsPort = try LocalHost.freePort()
            try LocalHost.makeSelfSignedCertificate(in: directory, for: "coturn")
            try Self.writeConfiguration(authentication, to: directory + "/turnserver.conf")
            process = try ReapedChild(Self.arguments(directory: directory, port: port, tlsPort: tlsPort, realm: realm))
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
        let cleanup = LocalHost.killCommand(pid: process.pid, directory: directory, graceful: false)
        watchdogID = stopWhenParentExits ? try? LocalHost.startWatchdog(cleanup: cleanup, directory: directory) : nil
        do {
            try waitUntilReady()
        } catch {
            stop()
            throw error
        }
    }

    /// Stops the server (SIGKILL: a throwaway server has nothing to save) and its watchdog,
    /// and removes the directory.
    public func stop() {
        process.stop()
        if let watchdogID { LocalHost.kill(watchdogID) }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// True while `turnserver` runs (false once it exited or was killed, and was reaped).
    public var isRunning: Bool { process.isRunning }

    /// The end of the server's log, for error messages.
    public func logTail(_ characters: Int = 2000) -> String {
        let log = (try? String(contentsOfFile: directory + "/turn.log", encoding: .utf8)) ?? ""
        return String(log.suffix(characters))
    }

    private static func arguments(directory: String, port: Int, tlsPort: Int, realm: String) -> [String] {
        [
            "turnserver", "-c", directory + "/turnserver.conf", "--no-cli", "--no-stdout-log", "--simple-log",
            "--log-file", directory + "/turn.log",
            "--listening-ip", "127.0.0.1", "--relay-ip", "127.0.0.1", "--listening-port", "\(port)",
            "--tls-listening-port", "\(tlsPort)", "--no-dtls", "--no-rfc5780", "--allow-loopback-peers",
            "--no-multicast-peers", "--fingerprint", "--realm", realm,
            "--cert", directory + "/cert.pem", "--pkey", directory + "/key.pem",
            "--userdb", directory + "/turndb", "--pidfile", directory + "/turnserver.pid",
        ]
    }

    /// The credentials, in a coturn config file only this user can read.
    private static func writeConfiguration(_ authentication: Authentication, to path: String) throws {
        let lines = switch authentication {
        case .sharedSecret(let secret): ["use-auth-secret", "static-auth-secret=\(secret)"]
        case .user(let name, let password): ["lt-cred-mech", "user=\(name):\(password)"]
        }
        guard FileManager.default.createFile(atPath: path, contents: Data((lines.joined(separator: "\n") + "\n").utf8),
                                             attributes: [.posixPermissions: 0o600]) else {
            throw LocalServiceError("cannot write coturn's config file \(path)")
        }
    }

    /// Waits up to ten seconds for a Binding answer over UDP and for the TCP and TLS
    /// listeners to accept.
    private func waitUntilReady() throws {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if !process.isRunning {
                throw LocalServiceError("turnserver exited at start (is coturn installed?): \(logTail())")
            }
            if LoopbackCheck.answersBinding(port: port), LoopbackCheck.accepts(port: port), LoopbackCheck.accepts(port: tlsPort) {
                return
            }
            usleep(20_000)
        }
        throw LocalServiceError("turnserver did not answer on 127.0.0.1:\(port) within 10 s: \(logTail())")
    }
}
