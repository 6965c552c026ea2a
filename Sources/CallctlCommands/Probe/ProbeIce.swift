import ArgumentParser
import Foundation
import ICE

/// `callctl probe ice`: every configured STUN and TURN server, in parallel, one summary.
struct ProbeIce: AsyncParsableCommand {
    /// The variable listing the servers, comma-separated.
    static let serversVariable = "CALLCTL_ICE_SERVERS"

    static let configuration = CommandConfiguration(
        commandName: "ice",
        abstract: "Probe every configured STUN and TURN server in parallel; the worst status wins.",
        discussion: """
        Servers come from repeated --uri, else from \(serversVariable) (comma-separated URIs, \
        as the application hands them to browsers). A stun:/stuns: URI gets a STUN probe; a \
        turn:/turns: URI gets a STUN probe and a TURN probe, with the credentials of \
        `probe turn` (usually TURN REST ones from \(TurnCredentialOptions.secretVariable)). \
        All probes run at once, so the whole run ends within --timeout.

        Examples:
          export \(serversVariable)=stun:turn.example.org,turns:turn.example.org
          export \(TurnCredentialOptions.secretVariable)=...
          callctl probe ice --format nagios
          callctl probe ice --uri stun:a.example.org --uri turn:b.example.org
        """
    )

    @Option(name: .customLong("uri"), help: ArgumentHelp(
        "A server to probe; repeat for several (default: \(serversVariable)).", valueName: "uri"))
    var uris: [String] = []

    @OptionGroup var credentials: TurnCredentialOptions
    @OptionGroup var options: ProbeOptions

    func validate() throws {
        _ = try resolved()
    }

    func run() async throws {
        let (settings, servers, login) = try resolved()
        var probes: [@Sendable () async -> ProbeReport] = []
        for server in servers {
            let stun = StunProbe(uri: server, configuration: settings.configuration)
            probes.append { await stun.run() }
            if server.scheme.isTURN, let login {
                let turn = TurnProbe(uri: server, login: login, configuration: settings.configuration)
                probes.append { await turn.run() }
            }
        }
        let suite = await Self.runAll(probes, thresholds: settings.thresholds)
        try ProbeRenderer(settings: settings, output: .standard).render(suite)
        try ProbeURI.exit(with: suite.status)
    }

    /// Runs the probes in parallel; results in the probes' order.
    private static func runAll(_ probes: [@Sendable () async -> ProbeReport], thresholds: RTTThresholds) async -> ProbeSuite {
        let results = await withTaskGroup(of: (Int, ProbeReport, Duration).self) { group in
            for (index, probe) in probes.enumerated() {
                group.addTask {
                    let start = ContinuousClock.now
                    let report = await probe()
                    return (index, report.evaluated(with: thresholds), ContinuousClock.now - start)
                }
            }
            var results: [(Int, ProbeReport, Duration)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }
        }
        return ProbeSuite(reports: results.map(\.1), durations: results.map(\.2))
    }

    /// The settings, the servers and the credentials (needed only for TURN URIs), or exit 3.
    private func resolved() throws -> (ProbeSettings, [IceServerURI], TurnLogin?) {
        try ProbeUsage.check("ice", format: options.format) { () throws(ProbeUsageError) in
            let settings = try options.settings()
            let environment = ProcessInfo.processInfo.environment
            let texts = uris.isEmpty
                ? (environment[Self.serversVariable] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                    .filter { !$0.isEmpty }
                : uris
            guard !texts.isEmpty else {
                throw ProbeUsageError("no servers: give --uri (repeatable) or set \(Self.serversVariable) to comma-separated URIs")
            }
            var servers: [IceServerURI] = []
            for text in texts { servers.append(try ProbeURI.parse(text)) }
            let login = try credentials.login(environment: environment, now: Date())
            if login == nil, let turn = servers.first(where: \.scheme.isTURN) {
                throw ProbeUsageError("\(turn) needs credentials: set \(TurnCredentialOptions.secretVariable), or give --secret or --username and --password")
            }
            return (settings, servers, login)
        }
    }
}
