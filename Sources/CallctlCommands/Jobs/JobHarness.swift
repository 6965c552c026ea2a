import CallStore
import Foundation
import Logging
import Postgres

/// The run every job command shares (a job is a ``BatchJob``): health pings around the work,
/// the settings read for this run, the job on a connection of its own off Swift's cooperative
/// pool, its `job_runs` record (started, then completed with its counts or its failure),
/// progress logs, the result on stdout (text, or JSON with the job's report fields), then the
/// metrics file. Failures map to docs/design.md's exit codes.
struct JobHarness {
    let options: JobOptions
    let database: DatabaseOptions
    let logging: LoggingOptions

    /// Runs `Job` (or previews it with `--dry-run`) in `context` and prints its outcome;
    /// `recordingObjects` is the storage `jobs purge-recordings` deletes from.
    func run<Job: BatchJob>(in context: CommandContext, _ job: Job.Type,
                            recordingObjects: (any RecordingObjectDeleter)? = nil) async throws {
        let dryRun = options.dryRun
        try await run(in: context, name: Job.name, recordingObjects: recordingObjects, work: { connection, parameters, progress in
            let job = Job(connection: connection, parameters: parameters)
            return try dryRun ? job.preview(progress: progress) : job.run(progress: progress)
        })
    }

    private func run<Outcome: JobOutcome>(
        in context: CommandContext, name: String, recordingObjects: (any RecordingObjectDeleter)?, work: @escaping @Sendable (PGConnection, JobParameters, @escaping (JobBatch) -> Void) throws -> Outcome
    ) async throws {
        try await context.reportingFailures(logging: logging) {
            let session = try context.session(database: database, logging: logging, label: "callctl.jobs")
            var logger = session.logger
            logger[metadataKey: "job"] = "\(name)"
            let ping = options.pingURL.map { HealthPing(url: $0, logger: logger) }
            await ping?.send(.start, message: "\(name) started")
            let clock = ContinuousClock()
            let started = clock.now
            do {
                let (outcome, parameters) = try await execute(work, name: name, recordingObjects: recordingObjects,
                                                              session: session, logger: logger)
                let duration = started.duration(to: clock.now)
                let report = JobReport(job: name, dryRun: options.dryRun, now: parameters.now,
                                       durationMs: Int64(duration / .milliseconds(1)), outcome: outcome)
                let summary = outcome.summary(dryRun: options.dryRun)
                if logger.logLevel <= .debug {
                    for row in outcome.changedRows {
                        var metadata: Logger.Metadata = ["event": "\(row.change)", "dry_run": "\(options.dryRun)"]
                        if let id = row.appointmentId { metadata["appointmentId"] = "\(id)" }
                        if let id = row.callId { metadata["callId"] = "\(id.uuidString.lowercased())" }
                        logger.debug(options.dryRun ? "row would change" : "row changed", metadata: metadata)
                    }
                }
                logger.info("job finished: \(summary)", metadata: ["duration_ms": "\(report.durationMs)", "batches": "\(outcome.batches)"])
                switch options.format {
                case .json:
                    try session.output.json(report)
                case .text:
                    report.lines.forEach(session.output.line)
                }
                if let path = options.metricsFile {
                    let metrics = JobMetrics(job: name, finishedAt: session.now(), durationSeconds: duration / .seconds(1),
                                             changes: outcome.metricChanges, outboxRows: outcome.outboxRows, batches: outcome.batches,
                                             incomplete: outcome.incomplete != nil, previous: try? String(contentsOfFile: path, encoding: .utf8))
                    try AtomicFile.replace(path, with: metrics.text)
                }
                if let problem = outcome.incomplete { throw Failure(message: problem, exitCode: Failure.failed) }
                await ping?.send(.success, message: summary)
            } catch {
                let failure = Failure(error)
                await ping?.send(.failure, message: failure.message)
                throw failure
            }
        }
    }

    /// Records the run in `job_runs` (its own autocommit statement first, so it shows while the
    /// job works), runs it, and completes the record with the counts, or with the failure's
    /// message. A record that cannot be completed is logged, and never hides the job's own error.
    private func execute<Outcome: JobOutcome>(
        _ work: @escaping @Sendable (PGConnection, JobParameters, @escaping (JobBatch) -> Void) throws -> Outcome,
        name: String, recordingObjects: (any RecordingObjectDeleter)?, session: CommandSession, logger: Logger
    ) async throws -> (Outcome, JobParameters) {
        let (batchSize, dryRun, instant) = (options.batchSize, options.dryRun, options.instant)
        return try await session.withConnection { connection in
            let runs = JobRunStore(connection: connection)
            let run = try runs.start(name, dryRun: dryRun)
            var totals = (claimed: 0, changed: 0)
            let result: (Outcome, JobParameters)
            do {
                let resolution = try SettingsStore(connection: connection).resolve()
                for problem in resolution.problems {
                    logger.warning("ignoring a setting: \(problem.message)", metadata: ["key": "\(problem.key)"])
                }
                let parameters = JobParameters(now: instant ?? session.now(), settings: resolution.settings, batchSize: batchSize,
                                               recordingObjects: recordingObjects)
                logger.info("job started", metadata: [
                    "now": "\(PGTimestamp.format(parameters.now))", "batch_size": "\(batchSize)", "dry_run": "\(dryRun)",
                    "database": "\(session.database)", "run_id": "\(run)",
                ])
                let outcome = try work(connection, parameters) { batch in
                    totals = (totals.claimed + batch.claimed, totals.changed + batch.changed)
                    logger.info(dryRun ? "page read" : "batch committed", metadata: [
                        "batch": "\(batch.number)", "claimed": "\(batch.claimed)", "changed": "\(batch.changed)",
                        "outbox_rows": "\(batch.outboxRows)",
                    ])
                }
                result = (outcome, parameters)
            } catch {
                do {
                    try Self.record(runs.finish(run, claimed: totals.claimed, changed: totals.changed, failure: Failure(error).message),
                               run: run, logger: logger)
                } catch let recording {
                    logger.warning("could not record the failed run in job_runs: \(Failure(recording).message)", metadata: ["run_id": "\(run)"])
                }
                throw error
            }
            try Self.record(runs.finish(run, claimed: totals.claimed, changed: totals.changed, failure: result.0.incomplete),
                            run: run, logger: logger)
            return result
        }
    }

    /// Logs a completion that found its run no longer `running` (pruned or completed elsewhere).
    private static func record(_ completed: Bool, run: Int64, logger: Logger) {
        if !completed {
            logger.warning("job run was no longer running in job_runs; its end was not recorded", metadata: ["run_id": "\(run)"])
        }
    }
}
