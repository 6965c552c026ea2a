import Foundation

/// The Prometheus textfile a job writes after a successful run, for node_exporter's textfile
/// collector. Written to a temporary file in the same directory, then renamed over the target,
/// so the collector never reads half a file. A failed run leaves the file alone, so
/// `time() - callctl_job_last_success_timestamp_seconds` grows and alerts.
struct JobMetrics {
    /// The job label (`no_show`, `reap`).
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

    /// The file's text.
    var text: String {
        let job = [("job", self.job)]
        var exposition = PrometheusText()
        exposition.gauge("callctl_job_last_success_timestamp_seconds", help: "Unix time the job last finished successfully.",
                         samples: [(job, finishedAt.timeIntervalSince1970)])
        exposition.gauge("callctl_job_duration_seconds", help: "How long the last successful run took.",
                         samples: [(job, durationSeconds)])
        exposition.gauge("callctl_job_changes", help: "Rows the last successful run changed, by kind of change.",
                         samples: changes.map { (job + [("change", $0.kind)], Double($0.count)) })
        exposition.gauge("callctl_job_outbox_rows", help: "Outbox events the last successful run wrote.", samples: [(job, Double(outboxRows))])
        exposition.gauge("callctl_job_batches", help: "Transactions the last successful run committed.", samples: [(job, Double(batches))])
        return exposition.text
    }
}
