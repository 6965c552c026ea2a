import ArgumentParser
import CallDomain

/// `callctl channels rules check FILE`.
struct ChannelsRulesCheck: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a channel rules file without using it: each bad line with its fix.",
        discussion: """
        Needs no database. Exit codes: 0 the rules are valid, 1 they are not (or the file \
        cannot be read), 64 usage.

        Examples:
          callctl channels rules check /etc/callctl/channels.rules
          callctl channels rules check rules.txt --format json | jq '.problems'
        """
    )

    @Argument(help: ArgumentHelp("The rules file.", valueName: "file")) var file: String
    @Option(name: .long, help: "Result format: text or json.") var format: OutputFormat = .text
    @OptionGroup var logging: LoggingOptions

    func run(in context: CommandContext) async throws {
        try await context.reportingFailures(logging: logging) {
            let output = context.output
            let text = try ChannelRulesReport.read(file)
            let rules: ChannelRuleSet
            do throws(ChannelRulesError) {
                rules = try ChannelRuleSet(parsing: text)
            } catch {
                switch format {
                case .json: try output.json(ChannelRulesReport.json(error, source: file))
                case .text: error.description.split(separator: "\n").forEach { output.line("\(file): \($0)") }
                }
                throw ExitCode(Failure.failed)
            }
            switch format {
            case .json: try output.json(ChannelRulesReport.json(rules, source: file))
            case .text: ChannelRulesReport.lines(rules, source: file).forEach(output.line)
            }
        }
    }
}
