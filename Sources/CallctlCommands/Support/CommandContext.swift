import ArgumentParser
import Foundation
import Logging

/// Where a command runs: the variables it reads, where its results and its logs go, and the
/// clock. The `callctl` process runs every command in ``live``; tests build a context with
/// captured streams to run a command inside the test process (``ContextualCommand``).
struct CommandContext: Sendable {
    /// The process environment, before `--env-file` is layered under it.
    let variables: [String: String]
    /// Where results go (stdout).
    let output: Output
    /// Where logs and failure sentences go (stderr).
    let errorOutput: Output
    /// The clock.
    let now: @Sendable () -> Date
    /// Makes a logger for a label with the `--log-format` and `--log-level` flags.
    private let makeLogger: @Sendable (String, LoggingOptions) -> Logger

    /// The `callctl` process: its environment, stdout, stderr and the system clock. Loggers go
    /// through the process-wide swift-log handler, installed on first use.
    static var live: CommandContext {
        CommandContext(variables: ProcessInfo.processInfo.environment, output: .standard, errorOutput: .standardError,
                       now: { Date() }, makeLogger: { label, logging in
                           LoggingSetup.bootstrap(logging, terminal: isatty(STDERR_FILENO) != 0)
                           return Logger(label: label)
                       })
    }

    /// A context whose results go to `output` and whose logs go to `errorOutput` (not a terminal,
    /// so `--log-format auto` writes JSON lines, as the process does into a pipe). Its loggers
    /// are made with `Logger(label:factory:)`: the process-wide swift-log bootstrap is left alone.
    init(variables: [String: String], output: @escaping @Sendable (String) -> Void,
         errorOutput: @escaping @Sendable (String) -> Void, now: @escaping @Sendable () -> Date) {
        let errors = Output(write: errorOutput)
        self.init(variables: variables, output: Output(write: output), errorOutput: errors, now: now) { label, logging in
            Logger(label: label, factory: LoggingSetup.handlerFactory(logging, terminal: false, write: errors.write))
        }
    }

    private init(variables: [String: String], output: Output, errorOutput: Output, now: @escaping @Sendable () -> Date,
                 makeLogger: @escaping @Sendable (String, LoggingOptions) -> Logger) {
        self.variables = variables
        self.output = output
        self.errorOutput = errorOutput
        self.now = now
        self.makeLogger = makeLogger
    }

    /// A logger named `label` honouring `logging`'s format and level.
    func logger(_ label: String, logging: LoggingOptions) -> Logger {
        makeLogger(label, logging)
    }

    /// Runs a command body and turns any failure into one sentence logged on ``errorOutput`` and
    /// the exit code docs/design.md promises (1 failed, 69 unavailable, 78 configuration).
    func reportingFailures(logging: LoggingOptions, _ body: () async throws -> Void) async throws {
        let logger = logger("callctl", logging: logging)
        do {
            try await body()
        } catch let exit as ExitCode {
            throw exit
        } catch {
            let failure = Failure(error)
            logger.error("\(failure.message)")
            throw ExitCode(failure.exitCode)
        }
    }
}
