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

    /// Runs `callctl` with arguments; `DATABASE_URL` and the Laravel/PG variables are cleared
    /// unless given, so the host's environment never leaks into a test.
    static func run(_ arguments: [String], environment: [String: String?] = [:]) throws -> CommandRunner.Outcome {
        var cleared: [String: String?] = ["DATABASE_URL": nil, "DB_URL": nil, "DB_HOST": nil, "DB_PORT": nil,
                                          "DB_DATABASE": nil, "DB_USERNAME": nil, "DB_PASSWORD": nil,
                                          "PGHOST": nil, "PGPORT": nil, "PGDATABASE": nil, "PGUSER": nil, "PGPASSWORD": nil]
        cleared.merge(environment) { $1 }
        return try CommandRunner.run([path] + arguments, environment: cleared)
    }
}
