import ArgumentParser
import CallDomain
import CallStore

/// `callctl channels explain --user ID CHANNEL`.
struct ChannelsExplain: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Say why a user may or may not subscribe to a channel: the rule that matched, its parameters and each check.",
        discussion: """
        Reads the rules as the daemon does (CALLCTL_CHANNEL_RULES, else the channels.rules \
        setting, else the defaults) and the user and appointment rows as /broadcasting/auth \
        does. For a public channel (no private-/presence- prefix) the answer is the hub's: \
        anyone may subscribe unless the name carries a private channel's data.

        Exit codes: 0 allowed, 1 refused (or no such user), 64 usage, 69 database \
        unavailable, 78 bad rules or configuration.

        Examples:
          callctl channels explain --user 7 private-appointments.42 --env-file /etc/callctl/callctl.env
          callctl channels explain --user 7 presence-tenant.3.editing.note.5 --format json | jq .checks
          callctl channels explain --user 7 tenant-3-notifications
        """
    )

    @Option(name: .long, help: ArgumentHelp("The user asking (users.id).", valueName: "id")) var user: Int64
    @Argument(help: ArgumentHelp("The channel name, e.g. private-tenant.3.news.", valueName: "channel")) var channel: String
    @Option(name: .long, help: "Result format: text or json.") var format: OutputFormat = .text
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard user > 0 else { throw ValidationError("--user must be a positive users.id; got \(user)") }
    }

    func run(in context: CommandContext) async throws {
        try await context.reportingFailures(logging: logging) {
            let source = ChannelRulesSource(file: try database.environment(context.variables)[ChannelRulesSource.variable])
            let session = try context.session(database: database, logging: logging, label: "callctl.channels")
            let (userId, channel) = (user, channel)
            let (rules, subject) = try await session.withConnection { connection in
                let rules = try source.load(on: connection)
                let appointmentId = rules.match(channel)?.appointmentId
                return (rules, try ChannelAuthQuery.read(userId: userId, appointmentId: appointmentId, on: connection))
            }
            guard let subject else {
                throw Failure(message: "there is no user \(userId) in this database (a token for a deleted user is refused as "
                    + "unauthenticated); check the id and that --env-file or DATABASE_URL point at the production database",
                              exitCode: Failure.failed)
            }
            let explanation = await rules.explain(channel: channel, user: subject.user) { _ in subject.isParticipant }
            switch format {
            case .json: try session.output.json(ChannelExplanationJSON(explanation, source: source.origin))
            case .text: ChannelExplanationText.lines(explanation, source: source.origin).forEach(session.output.line)
            }
            if !explanation.allowed { throw ExitCode(Failure.failed) }
        }
    }
}
