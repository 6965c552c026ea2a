import ArgumentParser

/// `callctl channels`: the channel rules and why a subscription is allowed or refused.
struct ChannelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "channels",
        abstract: "Explain who may subscribe to a channel, and show, check or change the channel rules.",
        discussion: """
        The rules come from the file CALLCTL_CHANNEL_RULES names, else from the channels.rules \
        setting, else callctl's defaults; the daemon re-reads them within a second of a change.

        Examples:
          callctl channels explain --user 7 private-tenant.4.news --env-file /etc/callctl/callctl.env
          callctl channels rules show
          callctl channels rules check rules.txt
          callctl channels rules set rules.txt
        """,
        subcommands: [ChannelsExplain.self, ChannelsRulesCommand.self]
    )
}
