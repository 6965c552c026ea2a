import ArgumentParser
import CallDomain
import CallStore
import CallctlConfig

/// `callctl config set KEY VALUE`.
struct ConfigSet: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Change a setting; the value is validated first and nothing is written when it is refused.",
        usage: "callctl config set <key> <value> [--tenant <id>] [--format <format>] [--database-url <url>] [--env-file <path>] [--log-format <log-format>] [--log-level <level>]",
        discussion: """
        A refused value (a negative grace, a timeout of 0, a malformed namespace) or an \
        unknown key exits 64 with the reason. A value starting with '-' is read as the value, \
        not as a flag (`--` before it is accepted too).

        --tenant gives one tenant its own value, which wins over the clinic-wide one for that \
        tenant's appointments; only \(SettingKey.allCases.filter(\.isPerTenant).map(\.rawValue).joined(separator: ", ")) \
        may differ per tenant. `config unset KEY --tenant ID` returns the tenant to the \
        clinic-wide value; `config list` shows every tenant's own values.

        Examples:
          callctl config set window.grace 20m
          callctl config set timeouts.heartbeat 2m
          callctl config set policy.request_doctor_only true
          callctl config set events.namespace 'App\\Events'
          callctl config set recording.retention 3650d --tenant 7
        """
    )

    @Argument(help: ArgumentHelp("The setting, e.g. window.grace.", valueName: "key")) var key: String
    @Argument(parsing: .allUnrecognized, help: ArgumentHelp("The new value, e.g. 20m.", valueName: "value"))
    var value: [String] = []
    @Option(name: .long, help: ArgumentHelp("Give this tenant its own value (only for settings that may differ per tenant).",
                                            valueName: "id"))
    var tenant: Int64?
    @Option(name: .long, help: "Result format: text or json.") var format: OutputFormat = .text
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        let (key, _) = try parsed()
        try ConfigCommand.validate(tenant: tenant, for: key)
    }

    /// The key and the validated value.
    private func parsed() throws -> (SettingKey, SettingValue) {
        let key = try ConfigCommand.key(key)
        let values = value.first == "--" ? Array(value.dropFirst()) : value
        guard values.count == 1, let text = values.first else {
            throw ValidationError("config set takes one value after the key; got \(values.count)")
        }
        do {
            return (key, try key.parse(cliText: text))
        } catch {
            throw ValidationError(error.message)
        }
    }

    func run(in context: CommandContext) async throws {
        let (key, value) = try parsed()
        let format = format
        if let tenant {
            return try await ConfigCommand.setForTenant(key, tenant: tenant, to: value, format: format, in: context,
                                                         database: database, logging: logging)
        }
        let autoAcceptAllowed = (try? database.environment(context.variables)).map(AutoAcceptGate.allows) ?? false
        try await runSettings(in: context, database: database, logging: logging) { store, output in
            if key == .autoAccept, value == .bool(true), !autoAcceptAllowed {
                throw Failure(message: AutoAcceptGate.refusal, exitCode: Failure.configuration)
            }
            let before = try store.entry(key)
            let after = try store.set(key, to: value)
            switch format {
            case .json:
                try output.json(SettingChangeJSON(setting: SettingJSON(after), previous: before.effective))
            case .text:
                output.line("\(key.rawValue) = \(key.format(after.effective)) (was \(key.format(before.effective)); "
                    + "default \(key.format(key.defaultValue)))")
            }
        }
    }
}
