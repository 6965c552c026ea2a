import ArgumentParser
import Foundation
import ICE

/// `callctl probe turn URI`: allocate, relay a datagram both ways, release.
struct ProbeTurn: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "turn",
        abstract: "Prove that a TURN server relays: allocate, relay a datagram both ways, release.",
        discussion: """
        Over UDP, TCP or TLS: an Allocate without credentials (expecting 401 with realm and \
        nonce), the Allocate with them (retrying once on 438 Stale Nonce), CreatePermission for \
        this host, a datagram from a second local UDP socket through the relay to the probe and \
        one back (a real round trip, no external peer), then Refresh with LIFETIME 0. The \
        round-trip time is the relay round trip.

        Credentials: --username and --password, or --secret (coturn's static-auth-secret) from \
        which TURN REST credentials are made (username <expiry>:<user>). With neither, \
        CALLCTL_TURN_SECRET is used, from the environment or the --env-file (the service's \
        /etc/callctl/callctl.env). An empty --secret, --username or --password is refused like \
        a missing one. Passwords and secrets are never printed; prefer the variable or the env \
        file, since flags show in `ps`.

        Examples:
          callctl probe turn turns:turn.example.org --env-file /etc/callctl/callctl.env
          callctl probe turn turn:turn.example.org --username probe --password "$P"
          callctl probe turn "turn:turn.example.org?transport=tcp"   # secret from env
          callctl probe turn turns:turn.example.org --secret "$S" --format nagios
          callctl probe turn turns:127.0.0.1 --secret "$S" --ca-file /etc/turn/cert.pem
        """
    )

    @Argument(help: ArgumentHelp("The server: turn:host[:port][?transport=udp|tcp] or turns:host[:port].", valueName: "uri"))
    var uri: String?

    @OptionGroup var credentials: TurnCredentialOptions
    @OptionGroup var options: ProbeOptions

    func run(in context: CommandContext) async throws {
        let (settings, server, login) = try resolved(in: context)
        let report = await TurnProbe(uri: server, login: login, configuration: settings.configuration).run()
            .evaluated(with: settings.thresholds)
        try ProbeRenderer(settings: settings, context: context).render(report)
        try ProbeURI.exit(with: report.status)
    }

    /// The settings, the URI and the credentials (from `context`'s variables and clock), or exit 3.
    private func resolved(in context: CommandContext) throws -> (ProbeSettings, IceServerURI, TurnLogin) {
        try ProbeUsage.check("turn", format: options.format, in: context) { () throws(ProbeUsageError) in
            let settings = try options.settings(process: context.variables)
            let server = try ProbeURI.parse(uri, turnOnly: true)
            guard let login = try credentials.login(environment: settings.environment, now: context.now()) else {
                throw ProbeUsageError("no TURN credentials: \(TurnCredentialOptions.remedy)")
            }
            return (settings, server, login)
        }
    }
}
