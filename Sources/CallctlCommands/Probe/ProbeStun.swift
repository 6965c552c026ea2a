import ArgumentParser
import ICE

/// `callctl probe stun URI`: a Binding request over UDP, TCP or TLS.
struct ProbeStun: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "stun",
        abstract: "Ask a STUN server for this host's address over UDP, TCP or TLS, and time the answer.",
        discussion: """
        Sends a Binding request (over UDP again after 500 ms, 1 s, 2 s, … until --timeout) and \
        reports the mapped address and the round-trip time. Any server URI works: a TURN \
        server is a STUN server too. stuns: verifies the certificate (--ca-file, --insecure).

        Examples:
          callctl probe stun stun:stun.example.org
          callctl probe stun "stun:stun.example.org?transport=tcp"
          callctl probe stun stun:stun.example.org --warn-rtt 100 --crit-rtt 300
          callctl probe stun stuns:turn.example.org:5349 --format json
          callctl probe stun stun:127.0.0.1:3478 --format nagios --timeout 2
        """
    )

    @Argument(help: ArgumentHelp("The server: stun:host[:port][?transport=udp|tcp], stuns:host[:port], or a turn(s): URI.",
                                 valueName: "uri"))
    var uri: String?

    @OptionGroup var options: ProbeOptions

    func run(in context: CommandContext) async throws {
        let (settings, server) = try ProbeUsage.check("stun", format: options.format, in: context) { () throws(ProbeUsageError) in
            (try options.settings(process: context.variables), try ProbeURI.parse(uri))
        }
        let report = await StunProbe(uri: server, configuration: settings.configuration).run()
            .evaluated(with: settings.thresholds)
        try ProbeRenderer(settings: settings, context: context).render(report)
        try ProbeURI.exit(with: report.status)
    }
}

/// The URI argument of the probes.
enum ProbeURI {
    /// Parses `text`; a missing or malformed URI is a usage error.
    static func parse(_ text: String?, turnOnly: Bool = false) throws(ProbeUsageError) -> IceServerURI {
        guard let text, !text.isEmpty else { throw ProbeUsageError("give the server's URI, e.g. stun:stun.example.org:3478") }
        let uri: IceServerURI
        do {
            uri = try IceServerURI(parsing: text)
        } catch {
            throw ProbeUsageError("bad URI: \(error)")
        }
        guard !turnOnly || uri.scheme.isTURN else {
            throw ProbeUsageError("probe turn needs a turn: or turns: URI; got \(uri.scheme.rawValue): (use probe stun for it)")
        }
        return uri
    }

    /// Leaves with the status's exit code unless it is OK.
    static func exit(with status: ProbeStatus) throws {
        guard status == .ok else { throw ExitCode(status.exitCode) }
    }
}
