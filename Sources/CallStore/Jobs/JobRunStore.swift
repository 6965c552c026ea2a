import Foundation
import Postgres

/// The `job_runs` table: every run of a cron job, dry runs included, written by the job harness.
///
/// ``start(_:dryRun:)`` is one autocommit statement, so the run is visible while the job works;
/// ``finish(_:claimed:changed:failure:)`` completes it once, guarded by `outcome = 'running'`.
/// A job's start also prunes its own runs that started more than ``retentionDays`` ago, so
/// the table holds at most a month of runs per job whatever the cron schedule.
public struct JobRunStore {
    /// How long a job's runs are kept, in days.
    public static let retentionDays: Int32 = 30
    /// The longest failure message stored.
    public static let errorLimit = 1000

    static let startStatement = """
        WITH pruned AS (DELETE FROM job_runs WHERE job = $1 AND started_at < now() - make_interval(days => $3))
        INSERT INTO job_runs (job, dry_run) VALUES ($1, $2) RETURNING id
        """

    static let finishStatement = """
        UPDATE job_runs SET finished_at = now(), outcome = $2, claimed = $3, changed = $4, error = $5
        WHERE id = $1 AND outcome = 'running'
        """

    static let lastRunQuery = """
        SELECT started_at, finished_at, outcome, claimed, changed, error,
               extract(epoch FROM now() - started_at)::float8 AS age_seconds
        FROM job_runs WHERE job = $1 AND NOT dry_run
        ORDER BY started_at DESC, id DESC LIMIT 1
        """

    static let lastChangeQuery = """
        SELECT started_at, finished_at, outcome, claimed, changed, error,
               extract(epoch FROM now() - started_at)::float8 AS age_seconds
        FROM job_runs WHERE job = $1 AND NOT dry_run AND changed > 0
        ORDER BY started_at DESC, id DESC LIMIT 1
        """

    private let connection: PGConnection

    /// Creates a store on a connection.
    public init(connection: PGConnection) {
        self.connection = connection
    }

    /// Records that a run of `job` starts now and prunes the job's runs past the retention;
    /// returns the new run's id. Call it outside any transaction, so it commits at once.
    public func start(_ job: String, dryRun: Bool) throws -> Int64 {
        guard let row = try connection.query(Self.startStatement, job, dryRun, Self.retentionDays).first else {
            throw PostgresError(.decoding, "recording the start of a \(job) run returned no id")
        }
        return try row.decode(Int64.self, "id")
    }

    /// Completes run `id` with its counts: succeeded, or failed with `failure` (a message for
    /// people, without secrets; cut to ``errorLimit`` characters). Returns false when the run
    /// was no longer `running` (completed already, or pruned): nothing was changed.
    public func finish(_ id: Int64, claimed: Int, changed: Int, failure: String?) throws -> Bool {
        let outcome: JobRunOutcome = failure == nil ? .succeeded : .failed
        let error = failure.map { String($0.prefix(Self.errorLimit)) }
        return try connection.query(Self.finishStatement, id, outcome.rawValue, Int32(clamping: claimed), Int32(clamping: changed),
                                    error).affectedRows == 1
    }

    /// The job's last real run and its last real run that changed something.
    public func history(of job: String) throws -> JobRunHistory {
        JobRunHistory(job: job, lastRun: try connection.query(Self.lastRunQuery, job).first.map(Self.run),
                      lastChange: try connection.query(Self.lastChangeQuery, job).first.map(Self.run))
    }

    private static func run(_ row: PGRow) throws -> JobRun {
        let outcome = try row.decode(String.self, "outcome")
        guard let known = JobRunOutcome(rawValue: outcome) else {
            throw PostgresError(.decoding, "job_runs.outcome has an unknown value \(outcome)")
        }
        return JobRun(startedAt: try row.decode(Date.self, "started_at"), finishedAt: try row.decode(Date?.self, "finished_at"),
                      outcome: known, claimed: Int(try row.decode(Int32.self, "claimed")),
                      changed: Int(try row.decode(Int32.self, "changed")), error: try row.decode(String?.self, "error"),
                      ageSeconds: try row.decode(Double.self, "age_seconds"))
    }
}
