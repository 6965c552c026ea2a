import ArgumentParser
import CallctlConfig
import Foundation
import Logging
import Postgres

/// What a command works with, built once from its flags and passed down: configuration,
/// logging, result output, the clock and the database. Tests build their own.
struct CommandContext: Sendable {
    /// Variables from the process environment and `--env-file`.
    let environment: Environment
    /// The logger (stderr).
    let logger: Logger
    /// Where results go (stdout).
    let output: Output
    /// The clock.
    let now: @Sendable () -> Date
    /// Where the database is (resolved, not yet connected).
    let database: ConnectionSettings

    /// Builds the real context from the shared flags.
    static func live(database options: DatabaseOptions, logging: LoggingOptions, label: String) throws -> CommandContext {
        let environment = try options.environment()
        let settings = try DatabaseTarget.resolve(flag: options.databaseURL, environment: environment)
        return CommandContext(environment: environment, logger: Logger(label: label), output: .standard,
                              now: { Date() }, database: settings)
    }

    /// Opens a database connection (for blocking code that is already off the cooperative pool).
    func connect() throws(PostgresError) -> PGConnection {
        try PGConnection(settings: database, applicationName: "callctl")
    }

    /// Runs `body` with a new database connection, off the cooperative pool (libpq blocks).
    func withConnection<T: Sendable>(_ body: @escaping @Sendable (PGConnection) throws -> T) async throws -> T {
        try await PGConnection.withNew(settings: database, applicationName: "callctl", body)
    }
}

/// Writes results to stdout (or, in tests, anywhere else).
struct Output: Sendable {
    let write: @Sendable (String) -> Void

    /// Standard output.
    static let standard = Output { text in StandardStreams.out(text) }

    /// Writes one line.
    func line(_ text: String = "") { write(text + "\n") }

    /// Writes a value as pretty JSON with sorted keys, snake_case as given by its coding keys.
    func json<T: Encodable>(_ value: T) throws {
        write(try Self.jsonText(value))
    }

    /// A value as pretty JSON with sorted keys and a final newline; dates as ISO-8601 UTC.
    static func jsonText<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(PGTimestamp.format(date))
        }
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }
}

/// Runs a command body and turns any failure into one logged sentence and the exit code
/// docs/design.md promises (1 failed, 69 unavailable, 78 configuration).
func runReportingFailures(logging: LoggingOptions, _ body: () async throws -> Void) async throws {
    LoggingSetup.bootstrap(logging)
    do {
        try await body()
    } catch let exit as ExitCode {
        throw exit
    } catch {
        let failure = Failure(error)
        Logger(label: "callctl").error("\(failure.message)")
        throw ExitCode(failure.exitCode)
    }
}
