import Foundation
import Postgres
import Testing

/// `diagnose db` on recordings past `recording.retention` (30 days by default) and the
/// `purge_recordings` job's runs.
@Suite("diagnose db: recordings overdue for deletion", .serialized)
struct DiagnoseDBRecordingsTests {
    static let recordingKeys: Set<String> = ["any_received", "stored", "overdue", "oldest_overdue_seconds", "purge_failing",
                                             "last_purge_error", "retention_seconds", "tenants_with_own_retention", "grace_seconds"]
    static let refusal = "HTTP 403: AccessDenied"

    /// Seeds, as `id hours-ago purged-hours-ago attempts error`:
    /// - fresh 48: kept; due-in-grace 732 (30 days 12 h): due, within the one-day grace;
    /// - overdue 768 (32 days): 2 days past its retention; failing 840 (35 days): 5 days past it,
    ///   refused twice by the storage; purged 960, deleted 216 hours ago.
    static func seed(_ world: JobsWorld) throws {
        let scheduled = PGTimestamp.format(Date().addingTimeInterval(-41 * 86_400))
        let appointment = try world.appointment(scheduled, status: "completed", startedAt: scheduled)
        let call = try world.session(appointment, "ended", requested: PGTimestamp.format(Date().addingTimeInterval(-41 * 86_400)),
                                     ended: PGTimestamp.format(Date().addingTimeInterval(-41 * 86_400 + 600)), reason: "hangup")
        try world.connection.query("""
            INSERT INTO recordings (id, appointment_id, call_id, storage_key, size_bytes, duration_seconds, body_sha256,
                                    received_at, purged_at, purge_attempts, purge_error)
            SELECT r.id, $1, $2, CASE WHEN r.purged IS NULL THEN 'k/' || r.id END, 1000, 60, 'sha',
                   now() - make_interval(hours => r.hours), now() - make_interval(hours => r.purged), r.attempts, r.error
            FROM (VALUES ('fresh', 48, NULL::int, 0, NULL::text), ('due-in-grace', 732, NULL, 0, NULL),
                         ('overdue', 768, NULL, 0, NULL), ('failing', 840, NULL, 2, $3),
                         ('purged', 960, 216, 0, NULL)) AS r(id, hours, purged, attempts, error)
            """, appointment, call, Self.refusal)
    }

    @Test("overdue and refused recordings: the figures, the failing job, one verdict naming the fix and the playbook")
    func overdueAndFailing() async throws {
        let world = try JobsWorld()
        try Self.seed(world)
        let runError = "1 recording could not be deleted at the storage (first: recording failing: \(Self.refusal)); they are kept "
            + "and retried on the next run — see playbooks/recordings-not-purged.md"
        try world.connection.query("""
            INSERT INTO job_runs (job, started_at, finished_at, outcome, claimed, changed, error)
            VALUES ('purge_recordings', now() - interval '2 hours', now() - interval '2 hours', 'failed', 3, 2, $1)
            """, runError)

        let text = await world.run(["diagnose", "db"])
        #expect(text.status == 1, "\(text.output)")
        #expect(text.standardOutput.contains("recordings:       4 stored, 2 overdue for deletion (the oldest 120h00m past its "
                                             + "retention), 1 failing to delete (last error: \(Self.refusal))"), "\(text.output)")
        #expect(text.standardOutput.contains("last purge:       failing: started "))
        let verdict = try #require(text.standardOutput.split(separator: "\n").last.map(String.init))
        #expect(verdict.hasPrefix("verdict: 2 recordings overdue for deletion, the oldest 120h00m past its retention: "
                                  + "`callctl jobs purge-recordings` is failing: its last run, 2h00m ago, failed: \(runError)"), "\(verdict)")
        #expect(verdict.hasSuffix("; run `callctl jobs purge-recordings` and see playbooks/recordings-not-purged.md"))
        #expect(verdict.components(separatedBy: Self.refusal).count == 2, "the storage's error is quoted once: \(verdict)")

        let (outcome, json) = try await world.runJSON(["diagnose", "db"])
        #expect(outcome.status == 1)
        let recordings = try #require(json["recordings"] as? [String: Any])
        #expect(Set(recordings.keys) == Self.recordingKeys)
        #expect(recordings["any_received"] as? Bool == true)
        #expect(recordings["stored"] as? Int == 4)
        #expect(recordings["overdue"] as? Int == 2)
        let oldest = try #require(recordings["oldest_overdue_seconds"] as? Double)
        #expect(oldest >= 5 * 86_400 && oldest < 5 * 86_400 + 120)
        #expect(recordings["purge_failing"] as? Int == 1)
        #expect(recordings["last_purge_error"] as? String == Self.refusal)
        #expect(recordings["retention_seconds"] as? Int == 30 * 86_400)
        #expect(recordings["grace_seconds"] as? Double == 86_400)
        let jobs = try #require(json["jobs"] as? [String: [String: Any]])
        #expect(jobs["purge_recordings"]?["state"] as? String == "failing")
        #expect((jobs["purge_recordings"]?["last_run"] as? [String: Any])?["error"] as? String == runError)

        let junit = await world.run(["diagnose", "db", "--format", "junit"])
        #expect(junit.status == 1)
        #expect(junit.standardOutput.contains("2 recordings overdue for deletion"), "\(junit.output)")
        #expect(junit.standardOutput.contains("playbooks/recordings-not-purged.md"))
    }

    @Test("a purge job that never ran is named, with the storage's last refusal; a longer retention clears it")
    func neverRan() async throws {
        let world = try JobsWorld()
        try Self.seed(world)
        let outcome = await world.run(["diagnose", "db"])
        #expect(outcome.status == 1, "\(outcome.output)")
        #expect(outcome.standardOutput.contains("last purge:       never ran"))
        #expect(outcome.standardOutput.contains("verdict: 2 recordings overdue for deletion, the oldest 120h00m past its retention: "
            + "the `callctl jobs purge-recordings` cron is not running: it never ran; the storage refused to delete 1 recording, "
            + "the last attempt: \(Self.refusal); run `callctl jobs purge-recordings` and see playbooks/recordings-not-purged.md"),
            "\(outcome.output)")

        try world.connection.query("INSERT INTO settings (key, value) VALUES ('recording.retention', '3888000')")
        let (longer, json) = try await world.runJSON(["diagnose", "db"])
        #expect(longer.status == 0, "\(longer.output)")
        #expect((json["recordings"] as? [String: Any])?["overdue"] as? Int == 0)
        #expect((json["recordings"] as? [String: Any])?["oldest_overdue_seconds"] is NSNull)
    }

    @Test("without recordings the purge job is not judged, even stopped; with one, a stopped daily cron is a problem")
    func noRecordings() async throws {
        let world = try JobsWorld()
        let (outcome, json) = try await world.runJSON(["diagnose", "db"])
        #expect(outcome.status == 0, "\(outcome.output)")
        let recordings = try #require(json["recordings"] as? [String: Any])
        #expect(recordings["any_received"] as? Bool == false && recordings["stored"] as? Int == 0 && recordings["overdue"] as? Int == 0)
        #expect(recordings["last_purge_error"] is NSNull)
        #expect((json["jobs"] as? [String: [String: Any]])?["purge_recordings"]?["state"] as? String == "never_ran")
        let text = await world.run(["diagnose", "db"])
        #expect(text.standardOutput.contains("recordings:       none received"), "\(text.output)")
        #expect(text.standardOutput.contains("last purge:       not expected (no recording received)"))
        #expect(!text.standardOutput.contains("purge-recordings"))

        try world.connection.query("""
            INSERT INTO job_runs (job, started_at, finished_at, outcome) VALUES
              ('purge_recordings', now() - interval '30 hours', now() - interval '30 hours', 'succeeded')
            """)
        let stoppedWithout = await world.run(["diagnose", "db"])
        #expect(stoppedWithout.status == 0, "\(stoppedWithout.output)")
        #expect(stoppedWithout.standardOutput.contains("last purge:       stopped: started "))

        let now = PGTimestamp.format(Date())
        let appointment = try world.appointment(now, status: "completed", startedAt: now)
        let call = try world.session(appointment, "ended", requested: now, ended: now, reason: "hangup")
        try world.connection.query("""
            INSERT INTO recordings (id, appointment_id, call_id, storage_key, size_bytes, duration_seconds, body_sha256, received_at)
            VALUES ('new', $1, $2, 'k/new', 1, 1, 'sha', now() - interval '1 hour')
            """, appointment, call)
        let stopped = await world.run(["diagnose", "db"])
        #expect(stopped.status == 1, "\(stopped.output)")
        #expect(stopped.standardOutput.contains("recordings:       1 stored, 0 overdue for deletion, 0 failing to delete"))
        #expect(stopped.standardOutput.contains("verdict: the `callctl jobs purge-recordings` cron is not running: its last run "
            + "started 30h00m ago (limit 26h00m); no recording is overdue yet, but none will be deleted until it runs: check the "
            + "cron entry (/etc/cron.d/callctl, from crontab.example) and /var/log/callctl/jobs-purge-recordings.log; "
            + "see playbooks/recordings-not-purged.md"), "\(stopped.output)")
        #expect(await world.run(["diagnose", "db", "--max-job-gap", "\(36 * 3600)"]).status == 0)

        try world.connection.query("""
            INSERT INTO job_runs (job, started_at, finished_at, outcome) VALUES
              ('purge_recordings', now() - interval '20 hours', now() - interval '20 hours', 'succeeded')
            """)
        let daily = await world.run(["diagnose", "db"])
        #expect(daily.status == 0, "a daily run 20 hours ago is on time: \(daily.output)")
        #expect(daily.standardOutput.contains("last purge:       idle: started "))
    }
}
