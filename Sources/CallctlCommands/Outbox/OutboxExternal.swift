import ArgumentParser
import CallDomain
import CallStore
import Foundation
import Postgres

/// `callctl outbox external`: the declared external Pusher/Reverb target and what each running
/// daemon publishes to; `--forget` retires the target.
struct OutboxExternal: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "external",
        abstract: "Show (or --forget) the external Pusher/Reverb server every outbox row owes a delivery to.",
        discussion: """
        A daemon started with CALLCTL_PUSHER_URL declares its server (host and app id, never the \
        secret) in the database. From then on no daemon marks a row published before that server \
        accepted it, whatever its own configuration, so a daemon without the variable during a \
        rolling change cannot make events skip the external server. This command lists the \
        declaration, the running daemons and what they publish to, and every disagreement with \
        its fix. It exits 1 when there is a disagreement.

        --forget retires the external server: it removes the declaration and marks the rows that \
        were waiting only for it (relayed, not published) as published. Do it after removing \
        CALLCTL_PUSHER_URL from every daemon.

        Examples:
          callctl outbox external
          callctl outbox external --format json
          callctl outbox external --forget
        """
    )

    @Flag(help: "Remove the declaration and mark the rows that waited only for that server as published.")
    var forget = false
    @Option(name: .long, help: "Result format: text or json.") var format: OutputFormat = .text
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions

    func run(in context: CommandContext) async throws {
        try await context.reportingFailures(logging: logging) {
            let session = try context.session(database: database, logging: logging, label: "callctl.outbox")
            if forget {
                let (target, released) = try await session.withConnection { try OutboxDestinationStore.forget(on: $0) }
                switch format {
                case .json: try session.output.json(ForgetReport(forgotten: target, released: released))
                case .text:
                    session.output.line(target.map { "forgot the external target \($0); \(released) relayed rows marked published" }
                                        ?? "no external target was declared; \(released) rows changed")
                }
                return
            }
            let destinations = try await session.withConnection { try OutboxDestinationStore.read(on: $0) }
            switch format {
            case .json: try session.output.json(Report(destinations))
            case .text: Self.lines(destinations).forEach(session.output.line)
            }
            if !destinations.problems.isEmpty { throw ExitCode(Failure.failed) }
        }
    }

    static func lines(_ destinations: OutboxDestinations) -> [String] {
        var lines = ["declared external target: " + (destinations.declared.map {
            "\($0) (since \(destinations.declaredAt.map(PGTimestamp.formatSeconds) ?? "?"))" } ?? "none")]
        var table = TextTable("DAEMON", "PUBLISHES TO")
        for daemon in destinations.daemons {
            table.add(daemon.id.uuidString.lowercased(), daemon.target ?? "(its own subscribers only)")
        }
        lines += destinations.daemons.isEmpty ? ["no daemon is running"] : table.render()
        lines += destinations.problems.map { "PROBLEM: \($0)" }
        return lines
    }

    /// `--format json`: `declared`, `declared_at`, `daemons` (`id`, `target`), `problems`.
    struct Report: Encodable {
        @NullWhenAbsent var declared: String?
        @NullWhenAbsent var declaredAt: String?
        let daemons: [Daemon]
        let problems: [String]

        struct Daemon: Encodable {
            let id: String
            @NullWhenAbsent var target: String?
        }

        init(_ destinations: OutboxDestinations) {
            declared = destinations.declared
            declaredAt = destinations.declaredAt.map(PGTimestamp.format)
            daemons = destinations.daemons.map { Daemon(id: $0.id.uuidString.lowercased(), target: $0.target) }
            problems = destinations.problems
        }

        private enum CodingKeys: String, CodingKey { case declared, declaredAt = "declared_at", daemons, problems }
    }

    /// `--forget --format json`: `forgotten` (the target, null when none), `released` (rows).
    struct ForgetReport: Encodable {
        @NullWhenAbsent var forgotten: String?
        let released: Int
    }
}
