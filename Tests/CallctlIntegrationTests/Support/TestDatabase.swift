import CallStore
import Foundation
import LocalServices
import Postgres

/// One throwaway PostgreSQL per test process (stopped by its watchdog when the process ends);
/// every test gets a database of its own, so suites run in parallel without sharing rows.
enum TestServer {
    private static let shared = Result { try ThrowawayPostgres() }

    /// The shared server, started on first use.
    static func get() throws -> ThrowawayPostgres { try shared.get() }
}

/// A fresh, empty database on the shared server.
struct TestDatabase: Sendable {
    let server: ThrowawayPostgres
    let name: String

    /// Creates a database named after the test plus a random suffix.
    init(_ label: String = #function) throws {
        server = try TestServer.get()
        let cleaned = label.lowercased().filter { $0.isLetter || $0.isNumber }.prefix(30)
        name = "t_\(cleaned)_\(UInt32.random(in: 0...UInt32.max))"
        try server.createDatabase(name)
    }

    /// A libpq connection string over the unix socket.
    var connectionString: String { server.connectionString(database: name) }

    /// Settings for this database.
    func settings() throws -> ConnectionSettings { try ConnectionSettings(connectionString, source: "test") }

    /// A new connection.
    func connect() throws -> PGConnection { try PGConnection(settings: settings()) }

    /// A new connection to a database with every migration applied.
    func migrated() throws -> PGConnection {
        let connection = try connect()
        try Migrator(connection: connection).up()
        return connection
    }
}

/// Runs the built `callctl` binary, as cron or a deploy would.
enum CLI {
    /// The `callctl` executable next to the test bundle in the build folder.
    static var path: String {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: executable).deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("callctl").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return "callctl"
    }

    /// The variables that point `callctl` (or libpq under it) at a database or at ICE servers:
    /// cleared for child processes unless a test sets it, so the host's environment never leaks in.
    static let clearedVariables = [
        "DATABASE_URL", "DB_URL", "DB_CONNECTION", "DB_HOST", "DB_PORT", "DB_DATABASE", "DB_USERNAME", "DB_PASSWORD",
        "PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGPASSWORD",
        "CALLCTL_ICE_SERVERS", "CALLCTL_TURN_SECRET", "CALLCTL_TURN_TTL", "CALLCTL_JWT_SECRET", "CALLCTL_JWT_PUBLIC_KEY",
        "CALLCTL_PUSHER_URL", "APP_ENV", "CALLCTL_ALLOW_AUTO_ACCEPT",
    ]

    /// The environment changes for a child `callctl`: `clearedVariables` removed, then
    /// `overrides` applied (a nil value removes, a string sets).
    static func environment(_ overrides: [String: String?] = [:]) -> [String: String?] {
        var variables = Dictionary(uniqueKeysWithValues: clearedVariables.map { ($0, String?.none) })
        variables.merge(overrides) { $1 }
        return variables
    }

    /// Runs `callctl` with arguments in `environment(overrides)`.
    static func run(_ arguments: [String], environment overrides: [String: String?] = [:]) throws -> CommandRunner.Outcome {
        try CommandRunner.run([path] + arguments, environment: environment(overrides))
    }
}
