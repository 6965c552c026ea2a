import ArgumentParser
import CallDomain
import CallStore

/// `callctl config`: runtime settings in the `settings` table.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Show and change runtime settings (window, timeouts, event namespace, policy) without a deploy.",
        discussion: """
        Settings live in the settings table and are read at each use: the next job run or \
        request sees a change. Durations take 900 (seconds), 90s, 15m or 1h30m. A value the \
        setting refuses (a negative grace, an unknown key) exits 64 and changes nothing; a \
        row written by hand that is invalid is ignored, the default stays in force, and \
        `config list` shows why. A tenant may have its own value of \
        \(SettingKey.allCases.filter(\.isPerTenant).map(\.rawValue).joined(separator: ", ")) \
        (`config set KEY VALUE --tenant ID`), kept in the tenant_settings table.

        Settings: \(SettingKey.allCases.map(\.rawValue).joined(separator: ", ")).

        Examples:
          callctl config list
          callctl config get window.grace
          callctl config set window.grace 20m
          callctl config set events.namespace 'App\\Events\\Calls'
          callctl config list --format json
          callctl config set recording.retention 3650d --tenant 7
          callctl config unset recording.retention --tenant 7
        """,
        subcommands: [ConfigGet.self, ConfigSet.self, ConfigUnset.self, ConfigList.self]
    )

    /// Reads a key typed on the command line.
    static func key(_ text: String) throws -> SettingKey {
        guard let key = SettingKey(rawValue: text.trimmingCharacters(in: .whitespaces)) else {
            throw ValidationError("unknown setting '\(text)'; the settings are "
                + SettingKey.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return key
    }
}

/// Runs a `config` body on a settings store in `context`, mapping failures to docs/design.md's exit codes.
func runSettings(in context: CommandContext, database: DatabaseOptions, logging: LoggingOptions,
                 _ body: @escaping @Sendable (SettingsStore, Output) throws -> Void) async throws {
    try await context.reportingFailures(logging: logging) {
        let session = try context.session(database: database, logging: logging, label: "callctl.config")
        try await session.withConnection { connection in try body(SettingsStore(connection: connection), session.output) }
    }
}
