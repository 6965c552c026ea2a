import ArgumentParser
import CallStore
import CallctlConfig
import Postgres
import Foundation
import ICE

/// `callctl probe ice`: every configured STUN and TURN server, in parallel, one summary.
struct ProbeIce: ContextualCommand {
    /// The variable listing the servers, comma-separated.
    static let serversVariable = "CALLCTL_ICE_SERVERS"

    static let configuration = CommandConfiguration(
        commandName: "ice",
        abstract: "Probe every configured STUN and TURN server in parallel; the worst status wins.",
        discussion: """
        Servers come from repeated --uri, or --config FILE (the iceServers JSON a web app \
        hands to RTCPeerConnection, with per-server username/credential), else from \
        \(serversVariable) (comma-separated URIs) in the environment or the --env-file (the \
        service's /etc/callctl/callctl.env). A stun:/stuns: URI gets a STUN probe; a \
        turn:/turns: URI gets a STUN probe and a TURN probe, with the credentials of \
        `probe turn` (usually TURN REST ones from \(TurnCredentialOptions.secretVariable)). \
        All probes run at once, so the whole run ends within --timeout.

        Examples:
          callctl probe ice --env-file /etc/callctl/callctl.env
          callctl probe ice --env-file /etc/callctl/callctl.env --record   # cron, every minute
          export \(serversVariable)=stun:turn.example.org,turns:turn.example.org
          export \(TurnCredentialOptions.secretVariable)=...
          callctl probe ice --format nagios
          callctl probe ice --uri stun:a.example.org --uri turn:b.example.org
          callctl probe ice --config ice-servers.json --format prometheus --metrics-file /var/lib/node_exporter/textfile/ice.prom
        """
    )

    @Option(name: .customLong("uri"), help: ArgumentHelp(
        "A server to probe; repeat for several (default: \(serversVariable)).", valueName: "uri"))
    var uris: [String] = []

    @Option(help: ArgumentHelp(
        "A JSON file with the iceServers list ({\"iceServers\": [{\"urls\": ..., \"username\": ..., \"credential\": ...}]}).",
        valueName: "path"))
    var config: String?

    @Flag(help: "Also store each server's verdict in the database (ice_server_health), for `ice-servers` and `diagnose db`.")
    var record = false

    @Option(name: .long, help: ArgumentHelp("With --record: the database (default: DATABASE_URL, Laravel DB_*, PG*).",
                                            valueName: "url"))
    var databaseURL: String?

    @OptionGroup var credentials: TurnCredentialOptions
    @OptionGroup var options: ProbeOptions

    func run(in context: CommandContext) async throws {
        let (settings, servers) = try resolved(in: context)
        var probes: [@Sendable () async -> ProbeReport] = []
        for (server, login) in servers {
            let stun = StunProbe(uri: server, configuration: settings.configuration)
            probes.append { await stun.run() }
            if server.scheme.isTURN, let login {
                let turn = TurnProbe(uri: server, login: login, configuration: settings.configuration)
                probes.append { await turn.run() }
            }
        }
        let suite = await Self.runAll(probes, thresholds: settings.thresholds)
        try ProbeRenderer(settings: settings, context: context).render(suite)
        if record {
            do {
                let database = try DatabaseTarget.resolve(flag: databaseURL, environment: settings.environment)
                let (verdicts, now) = (Self.verdicts(suite), context.now())
                try await PGConnection.withNew(settings: database, applicationName: "callctl probe") {
                    try IceHealthStore.record(verdicts, now: now, on: $0)
                }
            } catch {
                context.errorOutput.line("callctl probe ice: the verdicts were not recorded: \(Failure(error).message)")
                throw ExitCode(ProbeStatus.unknown.exitCode)
            }
        }
        try ProbeURI.exit(with: suite.status)
    }

    /// One verdict per server: the worst of its probes (STUN, and TURN for a TURN URI), with the first problem.
    static func verdicts(_ suite: ProbeSuite) -> [IceHealthStore.Verdict] {
        Dictionary(grouping: suite.reports, by: { $0.uri.description }).sorted { $0.key < $1.key }.map { uri, reports in
            let worst = reports.max { $0.status < $1.status }
            return IceHealthStore.Verdict(uri: uri, status: "\(worst?.status ?? .unknown)".lowercased(),
                                          detail: worst.flatMap { $0.status == .ok ? nil : ProbeRenderer.summary($0) })
        }
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

    /// The settings and each server with its credentials (needed only for TURN URIs; from
    /// `context`'s variables and clock), or exit 3.
    private func resolved(in context: CommandContext) throws -> (ProbeSettings, [(IceServerURI, TurnLogin?)]) {
        try ProbeUsage.check("ice", format: options.format, in: context) { () throws(ProbeUsageError) in
            let settings = try options.settings(process: context.variables)
            let environment = settings.environment
            let shared = try credentials.login(environment: environment, now: context.now())
            if let config {
                guard uris.isEmpty else { throw ProbeUsageError("give servers with --uri or --config, not both") }
                let servers = try IceServersFile(path: config).entries.map { ($0.uri, $0.login ?? shared) }
                try Self.requireCredentials(servers)
                return (settings, servers)
            }
            let texts = uris.isEmpty ? Self.serverTexts(environment[Self.serversVariable]) : uris
            guard !texts.isEmpty else {
                throw ProbeUsageError("no servers: pass --env-file /etc/callctl/callctl.env (the service's env file), "
                                      + "set \(Self.serversVariable) to comma-separated URIs, or give --uri (repeatable)")
            }
            var servers: [(IceServerURI, TurnLogin?)] = []
            for text in texts { servers.append((try ProbeURI.parse(text), shared)) }
            try Self.requireCredentials(servers)
            return (settings, servers)
        }
    }

    /// The URIs of a `CALLCTL_ICE_SERVERS` value: comma-separated, blanks trimmed, empties dropped.
    static func serverTexts(_ value: String?) -> [String] {
        (value ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Every TURN server needs credentials from its entry, the flags or the environment.
    private static func requireCredentials(_ servers: [(IceServerURI, TurnLogin?)]) throws(ProbeUsageError) {
        if let turn = servers.first(where: { $0.0.scheme.isTURN && $0.1 == nil })?.0 {
            throw ProbeUsageError("\(turn) needs credentials: \(TurnCredentialOptions.remedy)")
        }
    }
}
