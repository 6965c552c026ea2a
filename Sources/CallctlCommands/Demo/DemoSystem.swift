import CallctlConfig
import Dispatch
import Foundation
import HummingbirdCore
import LocalServices
import Postgres
import Logging
import SignalingServer

/// The throwaway credentials the demo's daemon and participants share; generated per run and
/// never printed (`--keep` writes them to a file readable only by the user).
struct DemoSecrets: Sendable {
    let jwtSecret = DemoSecrets.random()
    let appID = "demo"
    let appKey = "demo-key"
    let appSecret = DemoSecrets.random()
    let turnSecret = DemoSecrets.random()
    /// What the recording service signs `POST /webhooks/recording` with.
    let webhookSecret = DemoSecrets.random()
    /// nginx's `secure_link` secret for the recordings' download links.
    let linkSecret = DemoSecrets.random()

    private static func random() -> String {
        (0..<2).map { _ in UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased() }.joined()
    }
}

/// The servers of one demo run: PostgreSQL (throwaway, or an empty database given with
/// `--database-url`), a loopback coturn when `turnserver` is installed, and `serve` running in
/// this process on a free port. Stops what it started on ``stop(keepDatabase:)`` and on
/// SIGINT/SIGTERM.
final class DemoSystem: @unchecked Sendable {
    /// What subcommands get as `--database-url`.
    let databaseURL: String
    /// The throwaway server, when the demo started one.
    let postgres: ThrowawayPostgres?
    /// The shared secrets.
    let secrets = DemoSecrets()
    private let lock = NSLock()
    private var coturnServer: ThrowawayCoturn?
    private var nginxServer: ThrowawayNginx?
    private var recordingFiles: DemoRecordings?
    private var daemon: ServeDaemon?
    private var serving: Task<Void, any Error>?
    private var signalSources: [any DispatchSourceSignal] = []
    private var onInterrupt: (@Sendable () -> Void)?
    private var interrupted = false
    private let stopLock = NSLock()
    private var databaseStopped = false

    init(databaseURL: String, postgres: ThrowawayPostgres?) {
        self.databaseURL = databaseURL
        self.postgres = postgres
    }

    /// The loopback coturn, when one runs.
    var coturn: ThrowawayCoturn? { lock.withLock { coturnServer } }

    /// Starts coturn with TURN REST credentials from ``secrets``.
    func startCoturn() throws -> ThrowawayCoturn {
        let server = try ThrowawayCoturn(authentication: .sharedSecret(secrets.turnSecret), realm: "demo.callctl",
                                         stopWhenParentExits: true)
        lock.withLock { coturnServer = server }
        return server
    }

    /// The recording storage, once ``startRecordings(serverBlock:)`` prepared it.
    var recordings: DemoRecordings? { lock.withLock { recordingFiles } }

    /// Prepares the recording storage (with nginx serving it when it can); the daemon signs links for it.
    func startRecordings(serverBlock: String?) throws -> DemoRecordings {
        let recordings = try DemoRecordings(secrets: secrets, serverBlock: serverBlock)
        lock.withLock { recordingFiles = recordings }
        return recordings
    }

    /// nginx in front of the daemon, when `--keep` started one.
    var nginx: ThrowawayNginx? { lock.withLock { nginxServer } }

    /// Starts nginx with the shipped server block in front of the daemon on `upstreamPort`.
    func startNginx(configuration: String, upstreamPort: Int) throws -> ThrowawayNginx {
        let server = try ThrowawayNginx(configuration: configuration, upstreamPort: upstreamPort, stopWhenParentExits: true)
        lock.withLock { nginxServer = server }
        return server
    }

    /// The environment `serve` reads, as the demo sets it.
    func serveEnvironment() -> Environment {
        var variables = [
            ServeSettings.jwtSecretVariable: secrets.jwtSecret,
            ServeApps.idVariable: secrets.appID, ServeApps.keyVariable: secrets.appKey, ServeApps.secretVariable: secrets.appSecret,
        ]
        variables.merge(iceVariables()) { $1 }
        variables.merge(recordings?.variables ?? [:]) { $1 }
        return Environment(process: variables)
    }

    /// `CALLCTL_ICE_SERVERS` and `CALLCTL_TURN_SECRET` for the loopback coturn, when one runs:
    /// the daemon hands them to browsers, and `probe ice` reads them from the connection file.
    func iceVariables() -> [String: String] {
        guard let coturn else { return [:] }
        return [ServeSettings.iceServersVariable: "stun:127.0.0.1:\(coturn.port),turn:127.0.0.1:\(coturn.port)?transport=udp",
                ServeSettings.turnSecretVariable: secrets.turnSecret]
    }

    /// Starts the daemon on a free loopback port; returns the port once it listens.
    func startDaemon(database: ConnectionSettings, logger: Logger) async throws -> Int {
        // nginx, when --keep puts it in front, proxies from 127.0.0.1 and names the client in X-Forwarded-For.
        let loopbackProxy = TrustedProxies(ranges: [TrustedProxies.Range(parsing: "127.0.0.1")].compactMap { $0 })
        let configuration = try await ServeSettings.configuration(
            host: "127.0.0.1", port: 0, rateLimit: .standard, hub: HubSettings(trustedProxies: loopbackProxy), environment: serveEnvironment())
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let daemon = try await ServeDaemon.make(
            configuration: configuration, database: database, pools: ServeDaemon.Pools(size: 4, hubSize: 2), preparesStatements: true, signals: [],
            logger: logger, now: { Date() }, onServerRunning: { port in portSink.yield(port) })
        let serving = Task {
            defer { portSink.finish() }
            try await daemon.run()
        }
        lock.withLock {
            self.daemon = daemon
            self.serving = serving
        }
        for await port in ports { return port }
        try await serving.value
        throw Failure(message: "the daemon stopped before it listened", exitCode: Failure.failed)
    }

    /// Shuts the daemon down gracefully and waits for it.
    func stopDaemon() async throws {
        let (daemon, serving) = lock.withLock { (self.daemon, self.serving) }
        await daemon?.stop()
        try await serving?.value
        lock.withLock {
            self.daemon = nil
            self.serving = nil
        }
    }

    /// Stops coturn and nginx, and the throwaway PostgreSQL unless `keepDatabase`; once, however
    /// many callers (the run's end and a Ctrl-C) race to it.
    func stop(keepDatabase: Bool) {
        stopLock.withLock {
            let (coturn, nginx, recordings) = lock.withLock {
                defer { (coturnServer, nginxServer, recordingFiles) = (nil, nil, nil) }
                return (coturnServer, nginxServer, recordingFiles)
            }
            nginx?.stop()
            recordings?.stop()
            coturn?.stop()
            if !keepDatabase, !databaseStopped {
                postgres?.stop()
                databaseStopped = true
            }
        }
    }

    /// True once SIGINT or SIGTERM arrived: the signal handler owns the ending from then on.
    var isInterrupted: Bool { lock.withLock { interrupted } }

    /// On SIGINT or SIGTERM, runs `handler` (once) instead of dying.
    func onSignal(_ handler: @escaping @Sendable () -> Void) {
        lock.withLock {
            onInterrupt = handler
            guard signalSources.isEmpty else { return }
            for number in [SIGINT, SIGTERM] {
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { [weak self] in
                    guard let self else { return }
                    let handler = self.lock.withLock {
                        defer { self.onInterrupt = nil }
                        self.interrupted = true
                        return self.onInterrupt
                    }
                    handler?()
                }
                source.resume()
                signalSources.append(source)
            }
        }
    }

    /// A file (mode 600) with the variables to talk to the kept demo, read by `--env-file` as
    /// the service's env file is: the database URL, the daemon's address, the app credentials,
    /// the ICE servers and TURN secret of the loopback coturn, nginx's https address and CA file
    /// when it runs, and the participants' tokens.
    func writeConnectionFile(port: Int, tokens: [(String, String)]) throws -> String {
        let directory = postgres?.directory ?? NSTemporaryDirectory()
        let path = directory + "/demo.env"
        var lines = [
            "DATABASE_URL='\(databaseURL)'",
            "CALLCTL_URL=http://127.0.0.1:\(port)",
            "REVERB_APP_ID=\(secrets.appID)", "REVERB_APP_KEY=\(secrets.appKey)", "REVERB_APP_SECRET=\(secrets.appSecret)",
            "REVERB_HOST=127.0.0.1", "REVERB_PORT=\(port)", "REVERB_SCHEME=http", "APP_URL=http://127.0.0.1:\(port)",
        ]
        lines += iceVariables().sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        lines += (recordings?.variables ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        if let nginx {
            lines += ["CALLCTL_HTTPS_URL=https://localhost:\(nginx.port)", "CALLCTL_CA_FILE=\(nginx.certificatePath)"]
        }
        lines += tokens.map { "\($0.0)=\($0.1)" }
        guard FileManager.default.createFile(atPath: path, contents: Data((lines.joined(separator: "\n") + "\n").utf8),
                                             attributes: [.posixPermissions: 0o600]) else {
            throw Failure(message: "cannot write \(path)", exitCode: Failure.failed)
        }
        return path
    }
}
