import ArgumentParser
import CallDomain
import CallStore
import Logging
import Postgres

/// `callctl outbox status`.
struct OutboxStatusCommand: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the outbox backlog: its size and age, rows no daemon relayed, rows the external server refused.",
        discussion: """
        backlog: rows not yet published; oldest: the age of the oldest of them; not relayed: \
        rows no daemon's hub has delivered (is `callctl serve` running?); failing: unpublished \
        rows the external server refused, the first \(OutboxStatusQuery.failingLimit) listed \
        with their last error and next attempt; published in the last hour.

        With --max-age the command exits 1 when the oldest pending row is older than that many \
        seconds, for cron or monitoring to alert on.

        Examples:
          callctl outbox status
          callctl outbox status --format json | jq .backlog
          callctl outbox status --max-age 120 || page-oncall "outbox stuck"
        """
    )

    @Option(name: .long, help: "Result format: text or json.") var format: OutputFormat = .text
    @Option(name: .long, help: ArgumentHelp("Exit 1 when the oldest pending row is older than this.", valueName: "seconds"))
    var maxAge: Double?
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        if let maxAge, !(maxAge > 0) || !maxAge.isFinite {
            throw ValidationError("--max-age must be a positive number of seconds; got \(maxAge)")
        }
    }

    func run(in context: CommandContext) async throws {
        try await context.reportingFailures(logging: logging) {
            let session = try context.session(database: database, logging: logging, label: "callctl.outbox")
            let status = try await session.withConnection { try OutboxStatusQuery.read(on: $0) }
            let exceeded = maxAge.map { limit in (status.oldestPendingAgeSeconds ?? 0) > limit } ?? false
            switch format {
            case .json:
                try session.output.json(OutboxStatusReport(status, maxAge: maxAge, exceeded: exceeded))
            case .text:
                OutboxStatusText.lines(status).forEach(session.output.line)
            }
            if exceeded, let maxAge, let age = status.oldestPendingAgeSeconds {
                let message = "the oldest pending outbox row is \(ReadableText.age(age)) old, over --max-age "
                    + "\(ReadableText.age(maxAge)): check that `callctl serve` runs (its relay delivers the outbox), "
                    + "and with CALLCTL_PUSHER_URL that the external server accepts events (`callctl outbox flush` shows why not)"
                session.logger.error("\(message)")
                throw ExitCode(Failure.failed)
            }
        }
    }
}
