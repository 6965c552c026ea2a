import ArgumentParser
import CallDomain
import CallStore

/// `callctl config unset KEY [--tenant ID]`.
struct ConfigUnset: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "unset",
        abstract: "Remove a stored setting: the default applies again, or, with --tenant, the clinic-wide value for that tenant.",
        discussion: """
        Removing what is not stored changes nothing and says so (exit 0). An ignored row (an \\
        invalid value written by hand) is removed too.

        Examples:
          callctl config unset window.grace
          callctl config unset recording.retention --tenant 7
        """
    )

    @Argument(help: ArgumentHelp("The setting, e.g. window.grace.", valueName: "key")) var key: String
    @Option(name: .long, help: ArgumentHelp("Remove this tenant's own value instead of the clinic-wide one.", valueName: "id"))
    var tenant: Int64?
    @Option(name: .long, help: "Result format: text or json.") var format: OutputFormat = .text
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        try ConfigCommand.validate(tenant: tenant, for: try ConfigCommand.key(key))
    }

    /// `config unset --format json`.
    private struct Answer: Encodable {
        let key: String
        @NullWhenAbsent var tenantId: Int64?
        let removed: Bool
        /// The value in force now (for the tenant, with `--tenant`).
        let value: SettingValue

        enum CodingKeys: String, CodingKey {
            case key, removed, value
            case tenantId = "tenant_id"
        }
    }

    func run(in context: CommandContext) async throws {
        let key = try ConfigCommand.key(key)
        let (tenant, format) = (tenant, format)
        try await runSettings(in: context, database: database, logging: logging) { store, output in
            let removed = try tenant.map { try store.tenants.unset(key, tenant: $0) } ?? store.unset(key)
            let value = try store.entry(key).effective
            switch format {
            case .json:
                try output.json(Answer(key: key.rawValue, tenantId: tenant, removed: removed, value: value))
            case .text:
                let whose = tenant.map { " for tenant \($0)" } ?? ""
                let now = tenant == nil ? "the default" : "the clinic-wide value"
                output.line(removed ? "\(key.rawValue)\(whose) removed; \(now) applies: \(key.format(value))"
                                    : "\(key.rawValue)\(whose) was not stored; nothing changed (\(now) applies: \(key.format(value)))")
            }
        }
    }
}
