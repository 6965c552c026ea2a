import ArgumentParser
import CallDomain
import CallStore
import CallctlConfig
import Diagnostics
import Foundation
import HTTPClient
import Postgres
import TimeUnits

/// `callctl smoke`: what a deployment pipeline checks after a deploy, as one JUnit file.
struct SmokeCommand: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "smoke",
        abstract: "After a deploy: migrations current, serve ready, the hub answering, the ICE probes OK; one JUnit file for CI.",
        discussion: """
        Four checks, each a test case:
          migrations_current  schema_migrations matches this binary (no pending, changed or unknown migration)
          serve_ready         GET <url>/readyz answers 200 (the daemon reaches the database)
          hub_answers         a WebSocket to <url>/app/<key> gets pusher:connection_established
          ice_probes          the verdicts `probe ice --record` stored are OK and under 5 minutes old
                              (skipped when nothing was recorded)

        Exit codes: 0 every check passed, 1 a check failed, 69 database unavailable, 78 bad configuration.

        Examples:
          callctl smoke --env-file /etc/callctl/callctl.env --format junit > smoke.xml
          callctl smoke --url https://calls.clinic.example --ca-file /etc/ssl/callctl/chain.pem
        """
    )

    @Option(help: ArgumentHelp("callctl serve's base URL, as the pipeline reaches it.", valueName: "url"))
    var url = "http://127.0.0.1:8080"
    @Option(name: .customLong("app-key"), help: ArgumentHelp("The Pusher app key (default: REVERB_APP_KEY).", valueName: "key"))
    var appKey: String?
    @Option(name: .customLong("ca-file"), help: ArgumentHelp("Also trust these PEM certificates for https and wss.", valueName: "path"))
    var caFile: String?
    @Option(help: "Result format: text or junit.") var format: SmokeFormat = .text
    @Option(help: ArgumentHelp("Time limit of each check, in seconds.", valueName: "seconds")) var timeout: Double = 5
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard let parts = URLComponents(string: url), ["http", "https"].contains(parts.scheme ?? ""), parts.host?.isEmpty == false else {
            throw ValidationError("--url must be serve's http(s)://host[:port]; got '\(HTTPClient.redactedURL(url))'")
        }
        guard timeout > 0, timeout <= 60 else { throw ValidationError("--timeout must be 0–60 seconds; got \(timeout)") }
    }

    func run(in context: CommandContext) async throws {
        try await context.reportingFailures(logging: logging) {
            let session = try context.session(database: database, logging: logging, label: "callctl.smoke")
            guard let key = (appKey ?? session.environment["REVERB_APP_KEY"]).flatMap({ $0.isEmpty ? nil : $0 }) else {
                throw ValidationError("give --app-key or set REVERB_APP_KEY (environment or --env-file)")
            }
            let base = url.hasSuffix("/") ? String(url.dropLast()) : url
            let limit = Duration.seconds(timeout)
            var cases: [JUnitReport.Case] = []
            cases.append(await Self.timed("migrations_current") {
                let status = try await session.withConnection { try Migrator(connection: $0).status() }
                guard status.pending.isEmpty, status.changed.isEmpty, status.unknown.isEmpty else {
                    return .failed(message: "\(status.pending.count) pending, \(status.changed.count) changed, \(status.unknown.count) "
                        + "unknown migration(s): run `callctl migrate up` with the deployed binary", type: "check",
                        detail: "database at version \(status.currentVersion)")
                }
                return .passed(output: "at version \(status.currentVersion)")
            })
            cases.append(await Self.timed("serve_ready") { [caFile] in
                let response = try await HTTPClient.send(HTTPRequest(url: base + "/readyz", timeout: limit, caFile: caFile))
                return response.status == 200 ? .passed(output: "200")
                    : .failed(message: "/readyz answered \(response.status): serve cannot reach its database", type: "check",
                              detail: String(decoding: response.body.prefix(300), as: UTF8.self))
            })
            cases.append(await Self.timed("hub_answers") { [caFile] in
                let socket = base.replacingOccurrences(of: "http", with: "ws", options: .anchored)
                let listener = try await EchoListener.subscribe(url: socket, appKey: key, authURL: base + "/broadcasting/auth", token: "",
                                                                channels: [], timeout: limit, caFile: caFile)
                listener.close()
                return .passed(output: "pusher:connection_established")
            })
            let now = session.now()
            cases.append(await Self.timed("ice_probes") {
                let recorded = try await session.withConnection { try IceHealthStore.read(on: $0) }.values.sorted { $0.uri < $1.uri }
                guard !recorded.isEmpty else { return .skipped(message: "no verdict recorded: run `callctl probe ice --record` from cron") }
                if let bad = recorded.first(where: { $0.status != "ok" || $0.isStale(at: now, staleAfter: IceAdvice.staleAfter) }) {
                    let stale = bad.isStale(at: now, staleAfter: IceAdvice.staleAfter)
                    return .failed(message: stale ? "\(bad.uri) was last probed at \(PGTimestamp.formatSeconds(bad.checkedAt)): is the probe cron running?"
                                                   : "\(bad.uri) is \(bad.status): \(bad.detail ?? "")", type: "check", detail: "see playbooks/turn-down.md")
                }
                return .passed(output: recorded.map(\.uri).joined(separator: ", ") + " OK")
            })
            let report = JUnitReport(name: "callctl smoke", suite: "callctl smoke \(HTTPClient.redactedURL(base))", cases: cases)
            switch format {
            case .junit: session.output.write(report.document)
            case .text:
                for item in cases {
                    let (word, text): (String, String) = switch item.outcome {
                    case .passed(let output): ("PASS", output)
                    case .failed(let message, _, _): ("FAIL", message)
                    case .skipped(let message): ("SKIP", message)
                    }
                    session.output.line("\(word)  \(item.name.padding(toLength: 20, withPad: " ", startingAt: 0))\(text)")
                }
            }
            if cases.contains(where: { if case .failed = $0.outcome { true } else { false } }) { throw ExitCode(Failure.failed) }
        }
    }

    /// Runs one check, timing it; a thrown error fails the case with its message.
    private static func timed(_ name: String, _ check: () async throws -> JUnitReport.Case.Outcome) async -> JUnitReport.Case {
        let start = ContinuousClock.now
        let outcome: JUnitReport.Case.Outcome
        do {
            outcome = try await check()
        } catch {
            outcome = .failed(message: Failure(error).message, type: "error", detail: "")
        }
        return JUnitReport.Case(classname: "smoke", name: name, seconds: (ContinuousClock.now - start) / .seconds(1), outcome: outcome)
    }
}

/// `smoke --format`.
enum SmokeFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text, junit
}
