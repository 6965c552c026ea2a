import ArgumentParser

/// `callctl channels rules`: the channel rules text.
struct ChannelsRulesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Show the channel rules in force, check a rules file, or store one in the settings table.",
        discussion: """
        A rules file has one rule a line, PATTERN RULE, and # comments:

          private-appointments.{appointment}            participant(appointment)
          private-App.Models.User.{user}                user(user)
          private-chat.general.{tenant}                 tenant(tenant)
          private-tenant.{tenant}.admin                 role(tenant, admin)
          presence-tenant.{tenant}.editing.{type}.{id}  lock(tenant, doctor, admin, refuse)
          news                                          public

        The rules: participant, user, tenant, role, lock, public. No two patterns may match \
        the same name. A public name whose private- or presence- twin matches a rule is \
        refused by the hub unless a public rule names it.

        Examples:
          callctl channels rules show --format json
          callctl channels rules check /etc/callctl/channels.rules
          callctl channels rules set /etc/callctl/channels.rules --env-file /etc/callctl/callctl.env
        """,
        subcommands: [ChannelsRulesShow.self, ChannelsRulesCheck.self, ChannelsRulesSet.self]
    )
}
