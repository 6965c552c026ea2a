import ArgumentParser
import CallDomain
import CallStore

/// `callctl channels rules set FILE`.
struct ChannelsRulesSet: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Store a channel rules file in the channels.rules setting, after checking it; bad rules change nothing.",
        discussion: """
        Every daemon applies the new rules within a second, without a restart, unless its \
        CALLCTL_CHANNEL_RULES names a file (the file wins; this command then says so).

        Exit codes: 0 stored, 1 the rules are invalid (each line and its fix; nothing is \
        stored) or the file cannot be read, 64 usage, 69 database unavailable.

        Examples:
          callctl channels rules set /etc/callctl/channels.rules --env-file /etc/callctl/callctl.env
          callctl channels rules set rules.txt --format json
        """
    )

    @Argument(help: ArgumentHelp("The rules file.", valueName: "file")) var file: String
    @Option(name: .long, help: "Result format: text or json.") var format: OutputFormat = .text
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions

    func run(in context: CommandContext) async throws {
        try await context.reportingFailures(logging: logging) {
            guard let (text, rules) = try ChannelRulesReport.parse(file, format: format, output: context.output,
                                                                   problems: context.errorOutput) else {
                throw Failure(message: "\(file) is not a valid rule set; nothing was stored (fix the lines above and run again)",
                              exitCode: Failure.failed)
            }
            let override = try database.environment(context.variables)[ChannelRulesSource.variable].flatMap { $0.isEmpty ? nil : $0 }
            let session = try context.session(database: database, logging: logging, label: "callctl.channels")
            try await session.withConnection { try SettingsStore(connection: $0).set(.channelRules, to: .string(text)) }
            let source = "setting \(SettingKey.channelRules.rawValue)"
            switch format {
            case .json: try session.output.json(ChannelRulesReport.json(rules, source: source))
            case .text: ChannelRulesReport.lines(rules, source: source).forEach(session.output.line)
            }
            if let override {
                session.output.line("note: \(ChannelRulesSource.variable) names \(override) here, and that file wins over the setting; "
                    + "edit the file instead, or unset the variable")
            }
        }
    }
}
