import ArgumentParser
import CallctlConfig
import Foundation
import LocalServices
import Logging
import Postgres

/// `callctl demo`: the whole system end to end on a throwaway local PostgreSQL.
struct DemoCommand: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Show the whole system working, on a throwaway PostgreSQL (and coturn when installed).",
        discussion: """
        Starts a PostgreSQL of its own (initdb on a temporary directory, a free loopback port \
        and a unix socket; as the postgres user when run as root) and a loopback coturn when \
        turnserver is installed; migrates; seeds a clinic (a doctor, patients, appointments \
        around the access window); starts the signaling daemon in this process on a free port; \
        then a doctor and patients act over real HTTP and WebSocket: a full consultation \
        (request, accept, started, heartbeats, the browsers' offer, answer and candidates through \
        the PeerJS broker, end), a call to a busy doctor, a declined call, an unanswered call and \
        a call the policy refuses, while their browsers (Laravel Echo-like subscribers) print \
        the events they receive. Then it runs jobs reap, jobs no-show, outbox status, probe turn \
        against the local coturn, diagnose echo and diagnose peerjs against itself and the KPI \
        report, checks every outcome in the database, and removes \
        everything, also on Ctrl-C. Exit 0 when every step passed, 1 otherwise.

        DATABASE_URL and DB_* are never used: the demo writes a clinic's worth of rows. To run it \
        on a server of your own, give --database-url an EMPTY database (the demo refuses one \
        with tables); it is left filled afterwards.

        Logs (stderr) show warnings only, unless --log-level says otherwise.

        Examples:
          callctl demo
          callctl demo --keep        # leave the daemon and the database running; print how to connect
                                     # (with nginx in front, over TLS, when nginx is installed)
          callctl demo --database-url postgres://me@localhost/empty_demo
        """
    )

    @Option(name: .customLong("database-url"), help: ArgumentHelp(
        "An empty PostgreSQL database to use instead of a throwaway server.", valueName: "url"))
    var databaseURL: String?

    @Flag(name: .long, help: "Leave the daemon and the database running at the end and print how to connect; Ctrl-C stops the daemon.")
    var keep = false

    @Option(name: .customLong("nginx-config"), help: ArgumentHelp(
        "With --keep: the nginx server block to put in front of the daemon (default: deploy/nginx/callctl.conf, "
            + "else the package's \(DemoCommand.packagedNginxConfig)).", valueName: "path"))
    var nginxConfig: String?

    @OptionGroup var logging: LoggingOptions

    /// Where the Debian package installs the nginx example.
    static let packagedNginxConfig = "/usr/share/doc/callctl/examples/nginx/callctl.conf"

    func validate() throws {
        if let nginxConfig {
            guard keep else { throw ValidationError("--nginx-config puts nginx in front of the kept daemon: add --keep") }
            guard FileManager.default.isReadableFile(atPath: nginxConfig) else {
                throw ValidationError("--nginx-config must name a readable nginx server block; got '\(nginxConfig)'")
            }
        }
    }

    /// The server block `--keep` puts in front: the flag's, else the checkout's, else the package's.
    private var nginxServerBlock: String? {
        nginxConfig ?? ["deploy/nginx/callctl.conf", Self.packagedNginxConfig].first { FileManager.default.isReadableFile(atPath: $0) }
    }

    func run(in context: CommandContext) async throws {
        var quiet = logging
        if quiet.logLevel == LoggingOptions.defaultLevel { quiet.logLevel = "warning" }
        try await context.reportingFailures(logging: quiet) {
            let output = context.output
            let started = ContinuousClock.now
            let progress = DemoProgress(output: output, total: DemoRun.steps(keep: keep))
            let (system, settings) = try await startServers(progress)
            system.onSignal {
                output.line("\ninterrupted: stopping the daemon, coturn, nginx and the throwaway PostgreSQL")
                Task {
                    // The daemon gets a moment to close its sockets before the database goes.
                    await withTaskGroup(of: Void.self) { group in
                        group.addTask { try? await system.stopDaemon() }
                        group.addTask { try? await Task.sleep(for: .seconds(2)) }
                        await group.next()
                        group.cancelAll()
                    }
                    system.stop(keepDatabase: system.postgres == nil)
                    Foundation.exit(130)
                }
            }
            let run = DemoRun(system: system, database: settings, keep: keep, nginxServerBlock: nginxServerBlock, output: output,
                              logger: context.logger("callctl.demo", logging: quiet), progress: progress)
            do {
                try await run.run()
            } catch {
                // After Ctrl-C the signal handler stops everything and exits 130.
                while system.isInterrupted { try? await Task.sleep(for: .seconds(1)) }
                try? await system.stopDaemon()
                system.stop(keepDatabase: system.postgres == nil)
                output.line("\nthe demo FAILED after \(DemoProgress.text(since: started)); everything it started is stopped")
                throw ExitCode(1)
            }
            output.line("\nevery step passed in \(DemoProgress.text(since: started))"
                        + (keep || system.postgres == nil ? "" : "; the throwaway servers are removed (run with --keep to explore them)"))
        }
    }

    /// PostgreSQL (throwaway, or the given empty database) and coturn when installed.
    private func startServers(_ progress: DemoProgress) async throws -> (DemoSystem, ConnectionSettings) {
        let system: DemoSystem
        if let databaseURL {
            system = try await progress.step("check the given database is empty") {
                let settings = try ConnectionSettings(databaseURL, source: "--database-url")
                let connection = try PGConnection(settings: settings, applicationName: "callctl demo")
                defer { connection.close() }
                let tables = try connection.query("SELECT count(*) AS n FROM pg_tables WHERE schemaname = current_schema()")
                    .first?.decode(Int64.self, "n") ?? 0
                guard tables == 0 else {
                    throw Failure(message: "the database given with --database-url has \(tables) table(s) in its schema; the demo "
                                  + "seeds a whole clinic, so give it an empty database (e.g. createdb callctl_demo)",
                                  exitCode: Failure.configuration)
                }
                return DemoSystem(databaseURL: databaseURL, postgres: nil)
            }
        } else {
            system = try await progress.step("start a throwaway PostgreSQL") {
                let postgres = try ThrowawayPostgres(stopWhenParentExits: !keep)
                try postgres.createDatabase("callctl_demo")
                progress.detail("initdb in \(postgres.directory), port \(postgres.port)\(LocalHost.isRoot ? ", running as the postgres user" : "")")
                return DemoSystem(databaseURL: postgres.connectionString(database: "callctl_demo"), postgres: postgres)
            }
        }
        if ThrowawayCoturn.isInstalled {
            try await progress.step("start a loopback coturn (TURN REST secret)") {
                let coturn = try system.startCoturn()
                progress.detail("turnserver on 127.0.0.1:\(coturn.port) (UDP and TCP), in \(coturn.directory)")
            }
        } else {
            progress.skip("start a loopback coturn", because: "turnserver is not installed (apt-get install coturn)")
        }
        return (system, try ConnectionSettings(system.databaseURL, source: "callctl demo"))
    }
}
