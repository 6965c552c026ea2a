import Foundation

/// Where a recorded run of a cron job stands (`job_runs.outcome`).
public enum JobRunOutcome: String, Sendable {
    /// Started and not completed: still working, or killed before it could say.
    case running
    /// Completed without an error.
    case succeeded
    /// Stopped by an error (``JobRun/error`` says which).
    case failed
}

/// One `job_runs` row: a run of a cron job, recorded when it started and completed when it ended.
public struct JobRun: Sendable, Equatable {
    /// When it started (the database's clock).
    public let startedAt: Date
    /// When it ended; nil while ``outcome`` is `running`.
    public let finishedAt: Date?
    /// Running, succeeded or failed.
    public let outcome: JobRunOutcome
    /// Rows its claims returned (rows read, in a dry run).
    public let claimed: Int
    /// Changes it made (or would make, in a dry run).
    public let changed: Int
    /// The failure's message, for a failed run.
    public let error: String?
    /// Seconds from its start to when it was read, both by the database's clock.
    public let ageSeconds: Double

    /// Creates a run as read.
    public init(startedAt: Date, finishedAt: Date?, outcome: JobRunOutcome, claimed: Int, changed: Int, error: String?,
                ageSeconds: Double) {
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.outcome = outcome
        self.claimed = claimed
        self.changed = changed
        self.error = error
        self.ageSeconds = ageSeconds
    }
}

/// A job's recorded real runs (dry runs aside) as `diagnose db` reads them.
public struct JobRunHistory: Sendable, Equatable {
    /// The job's name (``BatchJob/name``: `no_show`, `reap`).
    public let job: String
    /// The run that started last; nil when none is recorded.
    public let lastRun: JobRun?
    /// The last run that changed something; nil when none did within the retention.
    public let lastChange: JobRun?

    /// Creates a history as read; with no runs, the job never ran (within the retention).
    public init(job: String, lastRun: JobRun? = nil, lastChange: JobRun? = nil) {
        self.job = job
        self.lastRun = lastRun
        self.lastChange = lastChange
    }
}
