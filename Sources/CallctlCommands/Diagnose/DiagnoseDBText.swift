import CallDomain
import CallStore
import Foundation
import Postgres

/// `diagnose db` for people: one line per figure, the verdict last.
enum DiagnoseDBText {
    static func lines(database: String, health: DatabaseHealth?, maxBacklogAge: Double, maxJobGap: Double,
                      verdict: DatabaseVerdict) -> [String] {
        var lines = ["database:         \(database)", "reachable:        \(health == nil ? "no" : "yes")"]
        if let health, !health.schemaMissing {
            let migrations = health.migrations
            lines.append("migrations:       version \(migrations.currentVersion) of \(MigrationCatalog.latestVersion), "
                + "\(migrations.pending.count) pending, \(migrations.changed.count) changed, \(migrations.unknown.count) unknown")
        }
        if let outbox = health?.outbox {
            lines.append("outbox:           \(ReadableText.count(outbox.backlog, "row")) pending, oldest "
                + (outbox.oldestPendingAgeSeconds.map(ReadableText.age) ?? "none")
                + " (limit \(ReadableText.age(maxBacklogAge))), \(outbox.failingCount) failing"
                + (outbox.failingCount > 0 ? outbox.destinations.declared.map { " (refused by \($0))" } ?? "" : ""))
        }
        if let health, health.outbox != nil {
            let calls = health.openCalls.map { count in
                "\(count.state.rawValue) \(count.open) (\(count.zombies) over \(count.timeoutSeconds)s"
                    + (count.oldestOverdueSeconds.map { ", the oldest by \(ReadableText.age($0))" } ?? "") + ")"
            }
            lines.append("open calls:       " + calls.joined(separator: ", "))
            lines.append("overdue no-shows: \(health.overdueNoShows)"
                + (health.oldestOverdueNoShowSeconds.map { " (the oldest window closed \(ReadableText.age($0)) ago)" } ?? ""))
            lines.append("last no_show:     " + job(JobLiveness(health.noShowRuns, maxGap: maxJobGap)))
            lines.append("last reap:        " + job(JobLiveness(health.reapRuns, maxGap: maxJobGap)))
            lines.append("recordings:       " + DiagnoseDBRecordings.line(health.recordings))
            lines.append("last purge:       " + purgeJob(health, maxJobGap: maxJobGap))
            lines.append("ice servers:      " + (health.iceServers.isEmpty ? "not recorded (probe ice --record)"
                : health.iceServers.map { "\($0.uri) \($0.status) at \(PGTimestamp.formatSeconds($0.checkedAt))" }.joined(separator: ", ")))
        }
        lines.append("verdict: \(verdict.message)")
        return lines
    }

    /// The purge job as ``job(_:)`` says, with the daily gap; without a recording it is not judged.
    private static func purgeJob(_ health: DatabaseHealth, maxJobGap: Double) -> String {
        let judged = health.recordings.anyReceived
        guard judged || health.purgeRuns.lastRun != nil else { return "not expected (no recording received)" }
        return job(JobLiveness(health.purgeRuns, maxGap: RecordingPurgeHealth.maxGap(given: maxJobGap)))
            + (judged ? "" : "; not judged: no recording received")
    }

    /// `idle: started 2026-03-01 10:45:00Z (42.0s ago), succeeded, claimed 0, changed 0; last change …`.
    private static func job(_ liveness: JobLiveness) -> String {
        guard let run = liveness.history.lastRun else { return "never ran" }
        let change = liveness.history.lastChange.map { "last change \(PGTimestamp.formatSeconds($0.startedAt)) "
            + "(\(ReadableText.age($0.ageSeconds)) ago, changed \($0.changed))" } ?? "no change in \(JobRunStore.retentionDays) days"
        return "\(liveness.state.rawValue): started \(PGTimestamp.formatSeconds(run.startedAt)) (\(ReadableText.age(run.ageSeconds)) ago), "
            + "\(run.outcome.rawValue), claimed \(run.claimed), changed \(run.changed)"
            + (run.error.map { ", error: \($0)" } ?? "") + "; \(change)"
    }
}
