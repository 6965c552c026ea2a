import CallStore
import Dispatch
import Foundation
import Logging
import Postgres

/// What a job command renders after a run.
struct JobRunInfo: Sendable {
    /// `no_show` or `reap`.
    let job: String
    /// True for `--dry-run`.
    let dryRun: Bool
    /// The instant the rules were evaluated at.
    let now: Date
    /// How long the run took.
    let duration: Duration

    /// The duration in whole milliseconds.
    var milliseconds: Int64 { Int64(duration / .milliseconds(1)) }
}

/// An outcome the harness can measure and summarize.
protocol JobResult: Sendable {
    /// Rows changed by kind, for the metrics file.
    var metricChanges: [(kind: String, count: Int)] { get }
    /// Outbox rows written.
    var outboxRows: Int { get }
    /// Transactions committed.
    var batches: Int { get }
    /// One line saying what changed (or would change).
    func summary(dryRun: Bool) -> String
}

/// The run both job commands share: health pings around the work, the settings read for
/// this run, the job on a connection of its own off Swift's cooperative pool, progress logs,
/// the result on stdout, then the metrics file. Failures map to docs/design.md's exit codes.
struct JobHarness {
    let name: String
    let options: JobOptions
    let database: DatabaseOptions
    let logging: LoggingOptions

    /// Runs `work` and hands its outcome to `render`.
    func run<Outcome: JobResult>(
        work: @escaping @Sendable (PGConnection, JobParameters, @escaping (JobBatch) -> Void) throws -> Outcome,
        render: (Outcome, JobRunInfo, Output) throws -> Void
    ) async throws {
        try await runReportingFailures(logging: logging) {
            let context = try CommandContext.live(database: database, logging: logging, label: "callctl.jobs")
            var logger = context.logger
            logger[metadataKey: "job"] = "\(name)"
            let ping = options.pingURL.map { HealthPing(url: $0, logger: logger) }
            await ping?.send(.start, message: "\(name) started")
            let clock = ContinuousClock()
            let started = clock.now
            do {
                let (outcome, parameters) = try await execute(work, context: context, logger: logger)
                let info = JobRunInfo(job: name, dryRun: options.dryRun, now: parameters.now, duration: started.duration(to: clock.now))
                let summary = outcome.summary(dryRun: options.dryRun)
                logger.info("job finished: \(summary)", metadata: ["duration_ms": "\(info.milliseconds)", "batches": "\(outcome.batches)"])
                try render(outcome, info, context.output)
                if let path = options.metricsFile {
                    let metrics = JobMetrics(job: name, finishedAt: context.now(), durationSeconds: info.duration / .seconds(1),
                                             changes: outcome.metricChanges, outboxRows: outcome.outboxRows, batches: outcome.batches)
                    try AtomicFile.replace(path, with: metrics.text)
                }
                await ping?.send(.success, message: summary)
            } catch {
                let failure = Failure(error)
                await ping?.send(.failure, message: failure.message)
                throw failure
            }
        }
    }

    private func execute<Outcome: JobResult>(
        _ work: @escaping @Sendable (PGConnection, JobParameters, @escaping (JobBatch) -> Void) throws -> Outcome,
        context: CommandContext, logger: Logger
    ) async throws -> (Outcome, JobParameters) {
        let (batchSize, dryRun, instant) = (options.batchSize, options.dryRun, options.instant)
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result {
                    let connection = try context.connect()
                    defer { connection.close() }
                    let resolution = try SettingsStore(connection: connection).resolve()
                    for problem in resolution.problems {
                        logger.warning("ignoring a setting: \(problem.message)", metadata: ["key": "\(problem.key)"])
                    }
                    let parameters = JobParameters(now: instant ?? context.now(), settings: resolution.settings, batchSize: batchSize)
                    logger.info("job started", metadata: [
                        "now": "\(PGTimestamp.format(parameters.now))", "batch_size": "\(batchSize)", "dry_run": "\(dryRun)",
                        "database": "\(context.database)",
                    ])
                    let outcome = try work(connection, parameters) { batch in
                        logger.info(dryRun ? "page read" : "batch committed", metadata: [
                            "batch": "\(batch.number)", "claimed": "\(batch.claimed)", "changed": "\(batch.changed)",
                            "outbox_rows": "\(batch.outboxRows)",
                        ])
                    }
                    return (outcome, parameters)
                })
            }
        }
    }
}
