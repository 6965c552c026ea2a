import ArgumentParser
import CallStore

/// `callctl channels rules show`.
struct ChannelsRulesShow: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show the channel rules in force and where they come from.",
        discussion: """
        Reads them as the daemon does: the file CALLCTL_CHANNEL_RULES names (from the \
        environment or --env-file), else the channels.rules setting, else the defaults. \
        Bad rules there exit 78 with each line and its fix.

        Examples:
          callctl channels rules show --env-file /etc/callctl/callctl.env
          callctl channels rules show --format json | jq '.rules[] | select(.rule | startswith("role"))'
        """
    )

    @Option(name: .long, help: "Result format: text or json.") var format: OutputFormat = .text
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions

    func run(in context: CommandContext) async throws {
        try await context.reportingFailures(logging: logging) {
            let source = ChannelRulesSource(file: try database.environment(context.variables)[ChannelRulesSource.variable])
            let session = try context.session(database: database, logging: logging, label: "callctl.channels")
            let rules = try await session.withConnection { try source.load(on: $0) }
            switch format {
            case .json: try session.output.json(ChannelRulesReport.json(rules, source: source.origin))
            case .text: ChannelRulesReport.lines(rules, source: source.origin).forEach(session.output.line)
            }
        }
    }
}
