import ArgumentParser
import CallDomain
import CallStore
import SignalingServer

/// `callctl outbox flush`.
struct OutboxFlush: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "flush",
        abstract: "Publish the unpublished outbox rows to the external Pusher/Reverb server now, without a daemon.",
        discussion: """
        The server is \(ExternalPusherTarget.variable)=\(ExternalPusherTarget.form) (as the \
        Pusher client libraries take it); without KEY:SECRET@ or /apps/APP_ID the values of \
        REVERB_APP_KEY, REVERB_APP_SECRET and REVERB_APP_ID are used. Rows go out in id \
        order, ten per POST /apps/APP_ID/batch_events, each batch marked published when the \
        server accepts it. Backoff is ignored; rows a running daemon is sending are skipped. \
        The daemon's own subscribers are not served by a flush: relayed_at stays as it is and \
        `callctl serve` relays those rows when it runs.

        A refused batch keeps its rows pending with attempts + 1 and last_error; a server that \
        is down or refuses the signature ends the flush at its first batch. Exit 1 when any \
        row failed, 78 without \(ExternalPusherTarget.variable) or with an invalid one. \
        Progress goes to stderr every 2 s, the summary to stdout.

        Examples:
          CALLCTL_PUSHER_URL=https://KEY:SECRET@reverb.example.com/apps/APP_ID callctl outbox flush
          callctl outbox flush --env-file /var/www/app/.env --limit 1000 --format json
        """
    )

    @Option(name: .long, help: ArgumentHelp("Publish at most this many rows.", valueName: "n")) var limit: Int?
    @Option(name: .long, help: "Result format: text or json.") var format: OutputFormat = .text
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1; got \(limit)") }
    }

    func run(in context: CommandContext) async throws {
        try await context.reportingFailures(logging: logging) {
            let session = try context.session(database: database, logging: logging, label: "callctl.outbox")
            guard let target = try ServeSettings.externalTarget(session.environment) else {
                throw Failure(message: "outbox flush publishes to an external Pusher-compatible server and "
                              + "\(ExternalPusherTarget.variable) is not set: set it to \(ExternalPusherTarget.form) "
                              + "(or pass --env-file with it); without an external server `callctl serve` delivers the outbox",
                              exitCode: Failure.configuration)
            }
            let flush = OutboxFlushRun(publisher: ExternalPusherPublisher(target: target), limit: limit, logger: session.logger)
            session.logger.info("flushing the outbox", metadata: ["target": "\(target)"])
            let result = try await session.withConnection { try flush.run(on: $0) }
            switch format {
            case .json:
                try session.output.json(result)
            case .text:
                session.output.line("published \(plural(result.delivered, "event")) to \(result.target) in "
                    + "\(plural(result.batches, "request")); \(result.failed) failed; \(result.pending) still pending")
                if let error = result.firstError { session.output.line("first error: \(error)") }
            }
            if result.failed > 0 {
                let message = "\(plural(result.failed, "outbox row")) could not be published"
                    + (result.stoppedEarly ? " and the flush stopped" : "") + ": \(result.firstError ?? "")"
                    + "; they stay pending with attempts and last_error; fix the cause and run `callctl outbox flush` again"
                session.logger.error("\(message)")
                throw ExitCode(Failure.failed)
            }
        }
    }
}
