import CallDomain
import Foundation
import Postgres

/// The recordings `jobs purge-recordings` should have deleted, as `diagnose db` reads them.
///
/// A recording is due once it is older than its tenant's `recording.retention` (``CallDomain/RetentionRule``);
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
    /// The clinic-wide `recording.retention` in seconds, as read from the settings.
    public let retentionSeconds: Int
    /// How many tenants have a retention of their own (`tenant_settings`), which their recordings
    /// were judged by.
    public let tenantsWithOwnRetention: Int

    /// No recording at all (what is reported when the table was not read).
    public static let none = RecordingPurgeHealth(anyReceived: false, stored: 0, overdue: 0, oldestOverdueSeconds: nil, failing: 0,
                                                  lastError: nil, retentionSeconds: CallSettings.defaults.recordingRetentionSeconds,
                                                  tenantsWithOwnRetention: 0)

    /// Creates the figures as read.
    public init(anyReceived: Bool, stored: Int, overdue: Int, oldestOverdueSeconds: Double?, failing: Int, lastError: String?,
                retentionSeconds: Int, tenantsWithOwnRetention: Int) {
        self.anyReceived = anyReceived
        self.stored = stored
        self.overdue = overdue
        self.oldestOverdueSeconds = oldestOverdueSeconds
        self.failing = failing
        self.lastError = lastError
        self.retentionSeconds = retentionSeconds
        self.tenantsWithOwnRetention = tenantsWithOwnRetention
    }

    /// `$1` now, `$2` the grace in seconds, `$3` the error limit, `$4`-`$6` ``RetentionSQL``'s
    /// parameters (each recording is judged by its tenant's retention). Reads the recordings not
    /// purged through `recordings_due_idx` (a month's worth at the default retention) and probes
    /// for any row at all, purged ones included.
    static let query = """
        SELECT EXISTS (SELECT 1 FROM recordings) AS any_row,
               count(*) AS stored,
               count(*) FILTER (WHERE r.received_at < $1::timestamptz - make_interval(secs => k.retention_seconds + $2::float8)) AS overdue,
               extract(epoch FROM max($1::timestamptz - make_interval(secs => k.retention_seconds) - r.received_at)
                   FILTER (WHERE r.received_at < $1::timestamptz - make_interval(secs => k.retention_seconds + $2::float8)))::float8
                   AS oldest_overdue,
               count(*) FILTER (WHERE r.purge_attempts > 0) AS failing,
               (SELECT left(f.purge_error, $3) FROM recordings f WHERE f.purged_at IS NULL AND f.purge_attempts > 0
                ORDER BY f.received_at, f.id LIMIT 1) AS last_error
        FROM recordings r
        CROSS JOIN LATERAL (SELECT \(RetentionSQL.seconds(tenants: "$4", seconds: "$5", global: "$6")) AS retention_seconds) k
        WHERE r.purged_at IS NULL
        """

    /// Reads the figures as of `now` with `settings`' retention and the tenants' own.
    static func read(on connection: PGConnection, now: Date, settings: CallSettings) throws -> RecordingPurgeHealth {
        let rule = try TenantSettingsStore(connection: connection).retentionRule(settings)
        let arguments: [(any PGEncodable)?] = [now, grace, errorLimit] + RetentionSQL.parameters(rule)
        let row = try connection.query(query, arguments).first
        return RecordingPurgeHealth(
            anyReceived: try row?.decode(Bool.self, "any_row") ?? false, stored: Int(try row?.decode(Int64.self, "stored") ?? 0),
            overdue: Int(try row?.decode(Int64.self, "overdue") ?? 0),
            oldestOverdueSeconds: try row?.decode(Double?.self, "oldest_overdue"),
            failing: Int(try row?.decode(Int64.self, "failing") ?? 0), lastError: try row?.decode(String?.self, "last_error"),
            retentionSeconds: rule.seconds, tenantsWithOwnRetention: rule.byTenant.count)
    }
}
