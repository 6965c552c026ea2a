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
        let label = "job=\"\(job)\""
        var lines: [String] = []
        func gauge(_ name: String, _ help: String, _ samples: [(labels: String, value: String)]) {
            lines.append("# HELP \(name) \(help)")
            lines.append("# TYPE \(name) gauge")
            lines += samples.map { "\(name){\($0.labels)} \($0.value)" }
        }
        gauge("callctl_job_last_success_timestamp_seconds", "Unix time the job last finished successfully.",
              [(label, String(format: "%.3f", finishedAt.timeIntervalSince1970))])
        gauge("callctl_job_duration_seconds", "How long the last successful run took.",
              [(label, String(format: "%.6f", durationSeconds))])
        gauge("callctl_job_changes", "Rows the last successful run changed, by kind of change.",
              changes.map { ("\(label),change=\"\($0.kind)\"", String($0.count)) })
        gauge("callctl_job_outbox_rows", "Outbox events the last successful run wrote.", [(label, String(outboxRows))])
        gauge("callctl_job_batches", "Transactions the last successful run committed.", [(label, String(batches))])
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes the file atomically (temporary file + rename, mode 0644).
    func write(to path: String) throws {
        let target = URL(fileURLWithPath: path)
        let temporary = target.deletingLastPathComponent()
            .appendingPathComponent(".\(target.lastPathComponent).\(getpid()).tmp").path
        guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8), attributes: [.posixPermissions: 0o644]) else {
            throw Failure(message: "cannot write the metrics file \(path): creating \(temporary) failed; check the directory's permissions",
                          exitCode: Failure.configuration)
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw Failure(message: "cannot write the metrics file \(path): \(reason)", exitCode: Failure.configuration)
        }
    }
}
