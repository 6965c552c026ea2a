import ArgumentParser
import CallctlConfig

/// Flags every command that talks to the database shares.
public struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "PostgreSQL URL or conninfo (default: DATABASE_URL, Laravel DB_*, then libpq's PG* defaults).",
        valueName: "url"))
    public var databaseURL: String?

    @OptionGroup public var envFile: EnvFileOptions

    public init() {}

    /// The process environment (`process`) layered over the `--env-file`, if one was given.
    func environment(_ process: [String: String]) throws(ConfigError) -> Environment {
        try envFile.environment(process)
    }
}

/// How logs are written to standard error.
public struct LoggingOptions: ParsableArguments {
    /// Log line formats.
    public enum Format: String, ExpressibleByArgument, CaseIterable, Sendable {
        case auto, human, json
    }

    @Option(name: .long, help: "Log format on stderr: auto (human on a terminal, JSON otherwise), human or json.")
    public var logFormat: Format = .auto

    @Option(name: .long, help: ArgumentHelp("Lowest level logged: trace, debug, info, notice, warning, error, critical.", valueName: "level"))
    public var logLevel: String = LoggingOptions.defaultLevel

    /// The level logged when `--log-level` is not given.
    public static let defaultLevel = "info"

    public init() {}

    public func validate() throws {
        guard LogLevelName.parse(logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical; got '\(logLevel)'")
        }
    }
}

/// Result formats for commands that print results on stdout.
public enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text, json
}
