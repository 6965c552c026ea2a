import ArgumentParser
import CallDomain
import CallStore

/// `callctl channels rules check FILE`.
struct ChannelsRulesCheck: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a channel rules file without using it: each bad line with its fix.",
        discussion: """
        Needs no database. Without FILE, checks the file CALLCTL_CHANNEL_RULES names (in the \
        environment or --env-file), the one the daemon reads. Exit codes: 0 the rules are \
        valid, 1 they are not (or the file cannot be read), 64 usage.

        Examples:
          callctl channels rules check /etc/callctl/channels.rules
          callctl channels rules check --env-file /etc/callctl/callctl.env
          callctl channels rules check rules.txt --format json | jq '.problems'
        """
    )

    @Argument(help: ArgumentHelp("The rules file (default: the file CALLCTL_CHANNEL_RULES names).", valueName: "file"))
    var file: String?
    @Option(name: .long, help: "Result format: text or json.") var format: OutputFormat = .text
    @OptionGroup var envFile: EnvFileOptions
    @OptionGroup var logging: LoggingOptions

    func run(in context: CommandContext) async throws {
        try await context.reportingFailures(logging: logging) {
            let output = context.output
            let configured = try envFile.environment(context.variables)[ChannelRulesSource.variable].flatMap { $0.isEmpty ? nil : $0 }
            guard let file = file ?? configured else {
                throw Failure(message: "name a rules file, or set \(ChannelRulesSource.variable) (or pass the --env-file that sets it)",
                              exitCode: Failure.failed)
            }
            guard let (_, rules) = try ChannelRulesReport.parse(file, format: format, output: output, problems: output) else {
                throw ExitCode(Failure.failed)
            }
            switch format {
            case .json: try output.json(ChannelRulesReport.json(rules, source: file))
            case .text: ChannelRulesReport.lines(rules, source: file).forEach(output.line)
            }
        }
    }
}
