@testable import CallctlCommands
import Foundation
import Testing

/// A job's textfile: a complete run stamps its success; an incomplete run says so and keeps the
/// success time of the file it replaces, so the failure and the staleness alert separately.
@Suite("job metrics textfile")
struct JobMetricsTests {
    func metrics(incomplete: Bool, previous: String?, at seconds: Double) -> JobMetrics {
        JobMetrics(job: "purge_recordings", finishedAt: Date(timeIntervalSince1970: seconds), durationSeconds: 0.5,
                   changes: [("recording_deleted", 3), ("recording_delete_failed", incomplete ? 2 : 0)], outboxRows: 3, batches: 1,
                   incomplete: incomplete, previous: previous)
    }

    @Test("a complete run stamps its own time as the last success and incomplete 0")
    func complete() {
        let text = metrics(incomplete: false, previous: nil, at: 1_000).text
        #expect(JobMetrics.lastSuccess(in: text, job: "purge_recordings") == 1_000)
        #expect(text.contains("callctl_job_incomplete{job=\"purge_recordings\"} 0\n"))
        #expect(text.contains("callctl_job_last_run_timestamp_seconds{job=\"purge_recordings\"} 1000\n"))
    }

    @Test("an incomplete run keeps the previous file's success time, or has none, and counts the refusals")
    func incomplete() {
        let before = metrics(incomplete: false, previous: nil, at: 1_000).text
        let after = metrics(incomplete: true, previous: before, at: 2_000).text
        #expect(JobMetrics.lastSuccess(in: after, job: "purge_recordings") == 1_000)
        #expect(after.contains("callctl_job_incomplete{job=\"purge_recordings\"} 1\n"))
        #expect(after.contains("callctl_job_changes{job=\"purge_recordings\",change=\"recording_delete_failed\"} 2\n"))
        #expect(after.contains("callctl_job_last_run_timestamp_seconds{job=\"purge_recordings\"} 2000\n"))
        // Another job's file, or none, gives no success time rather than a made-up one.
        #expect(JobMetrics.lastSuccess(in: metrics(incomplete: true, previous: nil, at: 2_000).text, job: "purge_recordings") == nil)
        #expect(JobMetrics.lastSuccess(in: before, job: "reap") == nil)
    }
}
