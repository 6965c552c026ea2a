import ArgumentParser
import CallStore

/// `callctl config list`.
struct ConfigList: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List every setting with the value in force, its default and whether it is overridden.",
        discussion: """
        SOURCE is `default`, `override`, or `ignored` for a stored row that is invalid (the \
        reason follows the table). Rows with unknown keys are reported too. Tenants' own \
        values (`config set KEY VALUE --tenant ID`) follow, one line each; JSON lists them \
        under `tenants`.

        Examples:
          callctl config list
          callctl config list --format json | jq '.settings[] | select(.overridden)'
        """
    )

    @Option(name: .long, help: "Result format: text or json.") var format: OutputFormat = .text
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions

    func run(in context: CommandContext) async throws {
        let format = format
        try await runSettings(in: context, database: database, logging: logging) { store, output in
            let listing = try store.entries()
            let entries = listing.entries
            let unknown = listing.unknownKeyProblems
            let tenants = try store.tenants.all()
            switch format {
            case .json:
                let problems = entries.compactMap { entry in entry.problem.map { ProblemJSON(key: entry.key.rawValue, message: $0) } }
                    + unknown.map { ProblemJSON(key: $0.key, message: $0.message) }
                try output.json(SettingListJSON(settings: entries.map(SettingJSON.init), problems: problems,
                                                tenants: tenants.map(TenantSettingJSON.init)))
            case .text:
                var table = TextTable("KEY", "VALUE", "DEFAULT", "SOURCE", "DESCRIPTION")
                for entry in entries {
                    table.add(entry.key.rawValue, entry.key.format(entry.effective), entry.key.format(entry.defaultValue),
                              SettingText.source(entry), entry.key.summary)
                }
                table.render().forEach(output.line)
                for entry in entries { if let problem = entry.problem { output.line("note: \(problem)") } }
                for problem in unknown { output.line("note: \(problem.message)") }
                if !tenants.isEmpty { output.line("") }
                for setting in tenants {
                    output.line(setting.value.map { "\(setting.key.rawValue) for tenant \(setting.tenantId) = \(setting.key.format($0))" }
                        ?? "\(setting.key.rawValue) for tenant \(setting.tenantId): ignored: \(setting.problem ?? "")")
                }
            }
        }
    }
}
