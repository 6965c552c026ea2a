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
        func gauge(_ name: String, _ help: String, _ samples: [(labels: [(String, String)], value: String)]) {
            exposition.gauge(name, help: help)
            samples.forEach { exposition.sample(name, $0.labels, $0.value) }
        }
        gauge("callctl_job_last_success_timestamp_seconds", "Unix time the job last finished successfully.",
              [(job, String(format: "%.3f", finishedAt.timeIntervalSince1970))])
        gauge("callctl_job_duration_seconds", "How long the last successful run took.",
              [(job, String(format: "%.6f", durationSeconds))])
        gauge("callctl_job_changes", "Rows the last successful run changed, by kind of change.",
              changes.map { (job + [("change", $0.kind)], String($0.count)) })
        gauge("callctl_job_outbox_rows", "Outbox events the last successful run wrote.", [(job, String(outboxRows))])
        gauge("callctl_job_batches", "Transactions the last successful run committed.", [(job, String(batches))])
        return exposition.text
    }

    /// Writes the file atomically (temporary file + rename, mode 0644); a failure is a
    /// configuration problem (exit 78): the path is wrong or not writable.
    func write(to path: String) throws {
        do {
            try AtomicFile.replace(path, with: text)
        } catch {
            throw Failure(message: "cannot write the metrics file: \(error.message); check the path and the directory's permissions",
                          exitCode: Failure.configuration)
        }
    }
}
