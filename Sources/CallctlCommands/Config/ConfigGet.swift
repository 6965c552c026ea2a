import ArgumentParser
import CallStore

/// `callctl config get KEY`.
struct ConfigGet: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Show one setting: the value in force, its default, and whether it is overridden.",
        discussion: """
        With --tenant, the value in force for that tenant's appointments: its own, or the \
        clinic-wide one when it has none.

        Examples:
          callctl config get window.grace
          callctl config get timeouts.heartbeat --format json | jq .value
          callctl config get recording.retention --tenant 7
        """
    )

    @Argument(help: ArgumentHelp("The setting, e.g. window.grace.", valueName: "key")) var key: String
    @Option(name: .long, help: ArgumentHelp("Show the value in force for this tenant.", valueName: "id")) var tenant: Int64?
    @Option(name: .long, help: "Result format: text or json.") var format: OutputFormat = .text
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions

    func validate() throws { try ConfigCommand.validate(tenant: tenant, for: try ConfigCommand.key(key)) }

    func run(in context: CommandContext) async throws {
        let key = try ConfigCommand.key(key)
        let format = format
        if let tenant {
            return try await ConfigCommand.getForTenant(key, tenant: tenant, format: format, in: context, database: database,
                                                         logging: logging)
        }
        try await runSettings(in: context, database: database, logging: logging) { store, output in
            let entry = try store.entry(key)
            switch format {
            case .json: try output.json(SettingJSON(entry))
            case .text: SettingText.render(entry).forEach(output.line)
            }
        }
    }
}
