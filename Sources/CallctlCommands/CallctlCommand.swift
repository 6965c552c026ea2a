import ArgumentParser

/// The `callctl` root command: operations CLI, cron job runner and signaling daemon for
/// appointment-bound video consultations.
public struct CallctlCommand: AsyncParsableCommand {
    /// The version printed by `callctl --version`.
    public static let version = "0.1.0"

    public static let configuration = CommandConfiguration(
        commandName: "callctl",
        abstract: "Operate appointment-bound video consultations: migrations, jobs, probes, daemon.",
        discussion: """
        Database: --database-url, else DATABASE_URL, else Laravel's DB_* variables (also read \
        from --env-file), else libpq's defaults (PG* variables, ~/.pgpass) exactly as psql.

        Exit codes: 0 success, 1 a check or job failed, 64 usage, 69 database or service \
        unavailable, 78 bad configuration.

        Examples:
          callctl demo
          callctl migrate up --env-file /var/www/app/.env
          callctl migrate status --format json
          callctl jobs no-show --dry-run --format json
          callctl kpi --from 2026-03-01 --to 2026-04-01 --by day --tz Europe/Berlin
        """,
        version: version,
        subcommands: [MigrateCommand.self, JobsCommand.self, ConfigCommand.self, ProbeCommand.self,
                      KPICommand.self, ServeCommand.self, OutboxCommand.self, CallCommand.self, RecordingsCommand.self, ChannelsCommand.self, DiagnoseCommand.self, SmokeCommand.self, DemoCommand.self]
    )

    public init() {}

    /// Parses the arguments and runs the chosen command, awaiting async ones; exits the
    /// process with the command's exit code. `main.swift` calls only this.
    public static func execute(_ arguments: [String]? = nil) async {
        StandardStreams.ignoreBrokenPipes()
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
