import CallDomain
import Foundation
import Postgres

/// The recordings `jobs purge-recordings` should have deleted, as `diagnose db` reads them.
///
/// A recording is due once it is older than `recording.retention` (``CallDomain/RetentionRule``);
/// it counts as **overdue** only once it has been due for longer than ``grace``, so a daily
/// cron, which deletes a recording up to a day after it fell due, leaves none overdue.
public struct RecordingPurgeHealth: Sendable, Equatable {
    /// How long a recording may stay due before it is overdue: one day, a daily cron's period.
    public static let grace: Double = 86_400
    /// How long `jobs purge-recordings` may go without a run before its cron counts as stopped
    /// (when `--max-job-gap` is shorter): a daily run is up to 24 h old, and 2 h more absorb a
    /// daylight-saving shift and a long run; a missed run (48 h) is flagged.
    public static let jobGap: Double = 26 * 3600
    /// The gap the purge job is judged with: `--max-job-gap` or ``jobGap``, whichever is longer.
    public static func maxGap(given maxJobGap: Double) -> Double { max(maxJobGap, jobGap) }
    /// The longest storage error reported (the job stores up to 500 characters).
    public static let errorLimit: Int32 = 300

    /// Whether `recordings` has any row, purged or not: without one, the purge job is not expected to run.
    public let anyReceived: Bool
    /// Recordings not purged yet (their object is in the storage).
    public let stored: Int
    /// Of those, recordings due for longer than ``grace``.
    public let overdue: Int
    /// How long past its retention the oldest overdue recording is, in seconds; nil without any.
    public let oldestOverdueSeconds: Double?
    /// Recordings not purged whose deletion the storage refused (`purge_attempts > 0`).
    public let failing: Int
    /// The storage's error for the oldest of those (every run retries every due recording, so it
    /// is that recording's latest), cut to ``errorLimit`` characters; nil without any.
    public let lastError: String?
    /// `recording.retention` in seconds, as read from the settings.
    public let retentionSeconds: Int

    /// No recording at all (what is reported when the table was not read).
    public static let none = RecordingPurgeHealth(anyReceived: false, stored: 0, overdue: 0, oldestOverdueSeconds: nil, failing: 0,
                                                  lastError: nil, retentionSeconds: CallSettings.defaults.recordingRetentionSeconds)

    /// Creates the figures as read.
    public init(anyReceived: Bool, stored: Int, overdue: Int, oldestOverdueSeconds: Double?, failing: Int, lastError: String?,
                retentionSeconds: Int) {
        self.anyReceived = anyReceived
        self.stored = stored
        self.overdue = overdue
        self.oldestOverdueSeconds = oldestOverdueSeconds
        self.failing = failing
        self.lastError = lastError
        self.retentionSeconds = retentionSeconds
    }

    /// `$1` the overdue cutoff (retention and grace before now), `$2` the retention's cutoff,
    /// `$3` the error limit. Reads the recordings not purged through `recordings_due_idx`
    /// (a month's worth at the default retention) and probes for any row at all, purged ones included.
    static let query = """
        SELECT EXISTS (SELECT 1 FROM recordings) AS any_row,
               count(*) AS stored,
               count(*) FILTER (WHERE r.received_at < $1) AS overdue,
               extract(epoch FROM $2 - min(r.received_at) FILTER (WHERE r.received_at < $1))::float8 AS oldest_overdue,
               count(*) FILTER (WHERE r.purge_attempts > 0) AS failing,
               (SELECT left(f.purge_error, $3) FROM recordings f WHERE f.purged_at IS NULL AND f.purge_attempts > 0
                ORDER BY f.received_at, f.id LIMIT 1) AS last_error
        FROM recordings r WHERE r.purged_at IS NULL
        """

    /// Reads the figures as of `now` with `settings`' retention.
    static func read(on connection: PGConnection, now: Date, settings: CallSettings) throws -> RecordingPurgeHealth {
        let due = RetentionRule.cutoff(now: now, settings: settings)
        let row = try connection.query(query, due.addingTimeInterval(-grace), due, errorLimit).first
        return RecordingPurgeHealth(
            anyReceived: try row?.decode(Bool.self, "any_row") ?? false, stored: Int(try row?.decode(Int64.self, "stored") ?? 0),
            overdue: Int(try row?.decode(Int64.self, "overdue") ?? 0),
            oldestOverdueSeconds: try row?.decode(Double?.self, "oldest_overdue"),
            failing: Int(try row?.decode(Int64.self, "failing") ?? 0), lastError: try row?.decode(String?.self, "last_error"),
            retentionSeconds: settings.recordingRetentionSeconds)
    }
}
