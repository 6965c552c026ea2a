import CallctlConfig
import Foundation
import Logging
import Postgres

/// What a database command works with, resolved once from its flags in its ``CommandContext``:
/// configuration, logging, result output, the clock and the database.
struct CommandSession: Sendable {
    /// Variables from the context's environment and `--env-file`.
    let environment: Environment
    /// The logger (the context's error output).
    let logger: Logger
    /// Where results go (the context's output).
    let output: Output
    /// The clock.
    let now: @Sendable () -> Date
    /// Where the database is (resolved, not yet connected).
    let database: ConnectionSettings

    /// Runs `body` with a new database connection, off the cooperative pool (libpq blocks).
    func withConnection<T: Sendable>(_ body: @escaping @Sendable (PGConnection) throws -> T) async throws -> T {
        try await PGConnection.withNew(settings: database, applicationName: "callctl", body)
    }
}

extension CommandContext {
    /// Resolves the shared database and logging flags in this context.
    func session(database options: DatabaseOptions, logging: LoggingOptions, label: String) throws -> CommandSession {
        let environment = try options.environment(variables)
        let settings = try DatabaseTarget.resolve(flag: options.databaseURL, environment: environment)
        return CommandSession(environment: environment, logger: logger(label, logging: logging), output: output,
                              now: now, database: settings)
    }
}
