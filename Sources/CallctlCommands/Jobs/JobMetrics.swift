import Foundation

/// The Prometheus textfile a job writes after a run that finished, for node_exporter's textfile
/// collector. Written to a temporary file in the same directory, then renamed over the target,
/// so the collector never reads half a file. A failed run leaves the file alone, so
/// `time() - callctl_job_last_success_timestamp_seconds` grows and alerts. A run that finished
/// but left work undone (a purge the storage refused) writes its counts with
/// `callctl_job_incomplete 1` and keeps the previous file's last-success time, so both the
/// failure and the staleness can alert.
struct JobMetrics {
    /// The job label (`no_show`, `reap`, `purge_recordings`).
    let job: String
    /// When the run finished (wall clock).
    let finishedAt: Date
    /// How long it took.
    let durationSeconds: Double
    /// Rows changed, by kind of change, in the order given.
    let changes: [(kind: String, count: Int)]
    /// Outbox rows written.
    let outboxRows: Int
    /// Transactions committed.
    let batches: Int
    /// Whether the run left work for the next run (its outcome's `incomplete`).
    let incomplete: Bool
    /// The text of the file this run replaces, if there was one: an incomplete run keeps its
    /// last-success time.
    let previous: String?

    /// The file's text.
    var text: String {
        let job = [("job", self.job)]
        let lastSuccess = incomplete ? previous.flatMap { Self.lastSuccess(in: $0, job: self.job) } : finishedAt.timeIntervalSince1970
        var exposition = PrometheusText()
        exposition.gauge("callctl_job_last_success_timestamp_seconds", help: "Unix time the job last finished successfully.",
                         samples: lastSuccess.map { [(job, $0)] } ?? [])
        exposition.gauge("callctl_job_last_run_timestamp_seconds", help: "Unix time the job last finished, complete or not.",
                         samples: [(job, finishedAt.timeIntervalSince1970)])
        exposition.gauge("callctl_job_incomplete", help: "1 when the last run left work undone for the next run (see its report), else 0.",
                         samples: [(job, incomplete ? 1 : 0)])
        exposition.gauge("callctl_job_duration_seconds", help: "How long the last run took.",
                         samples: [(job, durationSeconds)])
        exposition.gauge("callctl_job_changes", help: "Rows the last run changed (or failed to), by kind of change.",
                         samples: changes.map { (job + [("change", $0.kind)], Double($0.count)) })
        exposition.gauge("callctl_job_outbox_rows", help: "Outbox events the last run wrote.", samples: [(job, Double(outboxRows))])
        exposition.gauge("callctl_job_batches", help: "Transactions the last run committed.", samples: [(job, Double(batches))])
        return exposition.text
    }

    /// The last-success sample of `job` in a file this type wrote, if any.
    static func lastSuccess(in text: String, job: String) -> Double? {
        let prefix = "callctl_job_last_success_timestamp_seconds{job=\"\(job)\"} "
        return text.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { Double($0.dropFirst(prefix.count)) }
    }
}
