import Foundation
import Postgres
import Testing

/// Issue 19, retention: `jobs purge-recordings` against a real PostgreSQL and both storage
/// backends (a local directory, and moto's S3 checking signatures): what it deletes and
/// clears, `--dry-run`, a storage failure kept and retried, concurrent runners deleting each
/// object once, and the race with a webhook adding a recording to the same appointment.
@Suite("jobs purge-recordings", .serialized)
struct PurgeRecordingsTests {
    /// A clinic with recordings files in a scratch directory.
    final class World {
        let jobs: JobsWorld
        let directory: URL
        let callId: UUID

        init(_ label: String = #function) throws {
            jobs = try JobsWorld(label)
            directory = try makeScratchDirectory("recordings")
            let appointment = try jobs.appointment("2026-11-01T10:00:00Z", status: "completed")
            callId = try jobs.session(appointment, "ended", requested: "2026-11-01T10:00:00Z", ended: "2026-11-01T10:30:00Z",
                                      reason: "hangup")
        }

        deinit { try? FileManager.default.removeItem(at: directory) }

        var environment: [String: String?] { ["CALLCTL_RECORDING_STORAGE": "file://\(directory.path)"] }

        /// A recording of a new appointment (or `appointment`) received at `received`, its file written.
        @discardableResult
        func recording(_ id: String, received: String, appointment: Int64? = nil, file: Bool = true) throws -> Int64 {
            let owner = try appointment ?? jobs.appointment("2026-11-01T10:00:00Z", status: "completed")
            let key = "2026/11/\(id).webm"
            try jobs.connection.query("""
                INSERT INTO recordings (id, appointment_id, call_id, storage_key, size_bytes, duration_seconds, body_sha256, received_at)
                VALUES ($1, $2, $3, $4, 10, 60, 'x', $5::timestamptz)
                """, id, owner, callId, key, received)
            try jobs.connection.query("UPDATE appointments SET video_recording_url = '/appointments/' || id || '/recording' WHERE id = $1", owner)
            if file {
                let url = directory.appendingPathComponent(key)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data("webm".utf8).write(to: url)
            }
            return owner
        }

        func exists(_ id: String) -> Bool { FileManager.default.fileExists(atPath: directory.appendingPathComponent("2026/11/\(id).webm").path) }

        func run(_ arguments: [String] = [], now: String = "2026-12-10T00:00:00Z", environment extra: [String: String?] = [:]) async throws
            -> (status: Int32, report: [String: Any], errors: String) {
            var variables = environment.merging(extra) { $1 }
            variables["DATABASE_URL"] = jobs.database.connectionString
            let outcome = await InProcess.run(["jobs", "purge-recordings", "--now", now, "--format", "json"] + arguments, environment: variables)
            return (outcome.status, (try? outcome.json()) ?? [:], outcome.standardError)
        }
    }

    @Test("deletes files past recording.retention, clears their location with audit rows and events; --dry-run changes nothing; a rerun finds nothing")
    func local() async throws {
        let w = try World()
        let kept = try w.recording("fresh", received: "2026-12-01T00:00:00Z")
        try w.recording("old-a", received: "2026-11-01T00:00:00Z", appointment: kept)
        let alone = try w.recording("old-b", received: "2026-11-02T00:00:00Z")
        try w.recording("old-c", received: "2026-11-03T00:00:00Z", file: false)  // already gone counts as deleted

        let preview = try await w.run(["--dry-run"])
        #expect(preview.status == 0 && preview.report["recording_ids"] as? [String] == ["old-a", "old-b", "old-c"], "\(preview.report)")
        #expect(w.exists("old-a") && w.exists("old-b"))
        #expect(try w.jobs.count("SELECT count(*) FROM recordings WHERE purged_at IS NULL") == 4)

        let run = try await w.run()
        #expect(run.status == 0 && run.report["deleted"] as? Int == 3 && run.report["failed"] as? Int == 0, "\(run.report) \(run.errors)")
        #expect(!w.exists("old-a") && !w.exists("old-b") && w.exists("fresh"))
        #expect(try w.jobs.count("SELECT count(*) FROM recordings WHERE purged_at IS NOT NULL AND storage_key IS NULL") == 3)
        #expect(try w.jobs.value("SELECT video_recording_url FROM appointments WHERE id = $1", kept) == "/appointments/\(kept)/recording")
        #expect(try w.jobs.value("SELECT video_recording_url FROM appointments WHERE id = $1", alone) == nil)
        #expect(try w.jobs.count("SELECT count(*) FROM appointment_call_events WHERE type = 'recording_deleted'") == 3)
        #expect(try w.jobs.count("SELECT count(*) FROM outbox WHERE event LIKE '%AppointmentRecordingDeleted'") == 3)
        let again = try await w.run()
        #expect(again.status == 0 && again.report["deleted"] as? Int == 0)
        // With a retention of 90 days nothing of November is due on December 10th.
        try w.jobs.connection.query("INSERT INTO settings (key, value) VALUES ('recording.retention', '7776000'::jsonb)")
        try w.recording("old-d", received: "2026-11-04T00:00:00Z")
        #expect(try await w.run().report["deleted"] as? Int == 0)
    }

    @Test("per tenant: a tenant's own retention decides for its recordings, in the job, recordings list and diagnose db")
    func perTenant() async throws {
        let w = try World()
        let other = try #require(try w.jobs.value("INSERT INTO tenants (slug, name) VALUES ('other', 'Other clinic') RETURNING id::text"))
        let kept = try w.recording("ten-years", received: "2026-10-01T00:00:00Z")  // clinic-wide 30d would delete it
        let short = try w.recording("one-week", received: "2026-11-25T00:00:00Z")  // 15 days old: kept by the clinic-wide 30d
        try w.recording("default", received: "2026-11-01T00:00:00Z")
        try w.jobs.connection.query("UPDATE appointments SET tenant_id = $1::bigint WHERE id = $2", other, short)
        let home = try #require(try w.jobs.value("SELECT tenant_id::text FROM appointments WHERE id = $1", kept))
        for (tenant, retention) in [(home, "3650d"), (other, "7d")] {
            let set = await w.jobs.run(["config", "set", "recording.retention", retention, "--tenant", tenant])
            #expect(set.status == 0, "\(set.output)")
        }
        // "default" belongs to the first tenant too: its own ten years keep it; move it to a tenant without its own value.
        let third = try #require(try w.jobs.value("INSERT INTO tenants (slug, name) VALUES ('third', 'Third') RETURNING id::text"))
        try w.jobs.connection.query("""
            UPDATE appointments SET tenant_id = $1::bigint WHERE id = (SELECT appointment_id FROM recordings WHERE id = 'default')
            """, third)

        var variables = w.environment
        variables["DATABASE_URL"] = w.jobs.database.connectionString
        // recordings list judges by the clock: "default" (30d) and "one-week" (7d) are past their retention, "ten-years" is not.
        let now = await InProcess.run(["recordings", "list", "--status", "overdue", "--format", "json"], environment: variables)
        let overdue = ((try? JSONSerialization.jsonObject(with: Data(now.standardOutput.utf8))) as? [[String: Any]] ?? [])
            .compactMap { $0["recording_id"] as? String }.sorted()
        #expect(overdue == ["default", "one-week"], "\(now.output)")

        let preview = try await w.run(["--dry-run"])
        #expect(preview.report["recording_ids"] as? [String] == ["default", "one-week"], "\(preview.report)")
        let run = try await w.run()
        #expect(run.status == 0 && run.report["recording_ids"] as? [String] == ["default", "one-week"], "\(run.report) \(run.errors)")
        #expect(w.exists("ten-years") && !w.exists("one-week") && !w.exists("default"))

        let diagnosis = await InProcess.run(["diagnose", "db", "--format", "json"], environment: variables)
        let recordings = ((try? diagnosis.json())?["recordings"] as? [String: Any]) ?? [:]
        #expect(recordings["overdue"] as? Int == 0 && recordings["stored"] as? Int == 1, "\(diagnosis.output)")
        #expect(recordings["tenants_with_own_retention"] as? Int == 2, "\(recordings)")
        // Without its ten years the first tenant's recording is overdue at once: diagnose db says so.
        #expect(await w.jobs.run(["config", "unset", "recording.retention", "--tenant", home]).status == 0)
        let after = await InProcess.run(["diagnose", "db", "--format", "json"], environment: variables)
        #expect(((try? after.json())?["recordings"] as? [String: Any])?["overdue"] as? Int == 1, "\(after.output)")
    }

    @Test("a deletion the storage refuses keeps the row with its attempt and error, exits 1, shows in the metrics file (incomplete, the earlier success kept), and is retried by the next run")
    func failureRetried() async throws {
        let w = try World()
        try w.recording("stuck", received: "2026-11-01T00:00:00Z", file: false)
        try w.recording("fine", received: "2026-11-02T00:00:00Z")
        let blocker = w.directory.appendingPathComponent("2026/11/stuck.webm")
        try FileManager.default.createDirectory(at: blocker, withIntermediateDirectories: true)  // not a regular file

        let metrics = w.directory.appendingPathComponent("purge.prom").path
        func metric(_ line: String) throws -> Double? {
            let text = try String(contentsOfFile: metrics, encoding: .utf8)
            return text.split(separator: "\n").first { $0.hasPrefix(line + " ") }.flatMap { Double($0.split(separator: " ")[1]) }
        }
        let success = "callctl_job_last_success_timestamp_seconds{job=\"purge_recordings\"}"
        let incomplete = "callctl_job_incomplete{job=\"purge_recordings\"}"
        #expect(try await w.run(["--metrics-file", metrics], now: "2026-11-15T00:00:00Z").status == 0)  // nothing due yet
        let succeeded = try #require(try metric(success))
        #expect(try metric(incomplete) == 0)

        let failed = try await w.run(["--metrics-file", metrics])
        #expect(failed.status == 1, "\(failed.errors)")
        // The metrics show the refusal and keep the earlier success, so both alerts can fire.
        #expect(try metric(incomplete) == 1 && metric(success) == succeeded)
        #expect(try metric("callctl_job_changes{job=\"purge_recordings\",change=\"recording_delete_failed\"}") == 1)
        #expect(try metric("callctl_job_changes{job=\"purge_recordings\",change=\"recording_deleted\"}") == 1)
        #expect(failed.report["deleted"] as? Int == 1 && failed.report["failed"] as? Int == 1, "\(failed.report)")
        #expect(failed.errors.contains("recordings-not-purged.md"), "\(failed.errors)")
        #expect(try w.jobs.value("SELECT purge_attempts::text FROM recordings WHERE id = 'stuck'") == "1")
        #expect(try w.jobs.value("SELECT purge_error FROM recordings WHERE id = 'stuck'")?.contains("not a regular file") == true)
        #expect(try w.jobs.value("SELECT storage_key FROM recordings WHERE id = 'stuck'") == "2026/11/stuck.webm")
        #expect(try w.jobs.value("SELECT error FROM job_runs WHERE job = 'purge_recordings' ORDER BY id DESC LIMIT 1")?.contains("stuck") == true)

        try FileManager.default.removeItem(at: blocker)
        let retried = try await w.run(["--metrics-file", metrics])
        #expect(retried.status == 0 && retried.report["recording_ids"] as? [String] == ["stuck"], "\(retried.report)")
        #expect(try metric(incomplete) == 0 && (metric(success) ?? 0) >= succeeded)
        #expect(try w.jobs.value("SELECT purge_error FROM recordings WHERE id = 'stuck'") == nil)
    }

    @Test("concurrent runners: rows another runner holds are skipped, and every object is deleted and audited once")
    func concurrentRunners() async throws {
        let w = try World()
        for index in 0..<40 { try w.recording(String(format: "r%02d", index), received: "2026-11-01T00:00:00Z") }
        // Another runner mid-batch holds r00..r04.
        let other = try w.jobs.database.connect()
        try other.execute("BEGIN")
        try other.query("SELECT 1 FROM recordings WHERE id < 'r05' FOR UPDATE")
        let first = try await w.run(["--batch-size", "7"])
        #expect(first.status == 0 && first.report["deleted"] as? Int == 35, "\(first.report)")
        try other.execute("ROLLBACK")
        for index in 40..<80 { try w.recording(String(format: "r%02d", index), received: "2026-11-01T00:00:00Z") }
        let runs = try (0..<3).map { _ in
            try BackgroundRun(databaseURL: w.jobs.database.connectionString,
                              ["jobs", "purge-recordings", "--now", "2026-12-10T00:00:00Z", "--batch-size", "5"], environment: w.environment)
        }
        for run in runs { #expect(try run.finish().status == 0) }
        #expect(try w.jobs.count("SELECT count(*) FROM recordings WHERE purged_at IS NULL") == 0)
        #expect(try w.jobs.count("""
            SELECT count(*) FROM (SELECT payload->>'note' FROM appointment_call_events WHERE type = 'recording_deleted'
                                  GROUP BY 1 HAVING count(*) = 1) once
            """) == 80)
        #expect(try w.jobs.count("SELECT count(*) FROM appointment_call_events WHERE type = 'recording_deleted'") == 80)
    }

    @Test("race: a webhook adds a recording to the appointment while the purge waits for its lock; the URL is kept")
    func raceWithWebhook() async throws {
        let w = try World()
        let appointment = try w.recording("old", received: "2026-11-01T00:00:00Z")
        let webhook = try w.jobs.database.connect()
        try webhook.execute("BEGIN")
        try webhook.query("SELECT 1 FROM appointments WHERE id = $1 FOR UPDATE", appointment)
        try webhook.query("""
            INSERT INTO recordings (id, appointment_id, call_id, storage_key, size_bytes, duration_seconds, body_sha256, received_at)
            VALUES ('new', $1, $2, '2026/12/new.webm', 10, 60, 'y', '2026-12-09T00:00:00Z')
            """, appointment, w.callId)
        let purge = try BackgroundRun(databaseURL: w.jobs.database.connectionString,
                                      ["jobs", "purge-recordings", "--now", "2026-12-10T00:00:00Z"], environment: w.environment)
        #expect(try eventually { try w.jobs.backendWaitingOnLock("%FROM appointments WHERE id = ANY%FOR UPDATE%") != nil },
                "the purge never waited on the webhook's appointment lock")
        try webhook.execute("COMMIT")
        #expect(try purge.finish().status == 0)
        #expect(try w.jobs.count("SELECT count(*) FROM recordings WHERE id = 'old' AND purged_at IS NOT NULL") == 1)
        #expect(try w.jobs.value("SELECT video_recording_url FROM appointments WHERE id = $1", appointment)
                == "/appointments/\(appointment)/recording")
    }

    @Test("race: a download being granted holds its file FOR SHARE; the purge skips it and deletes it on the next run")
    func raceWithDownload() async throws {
        let w = try World()
        try w.recording("downloading", received: "2026-11-01T00:00:00Z")
        try w.recording("idle", received: "2026-11-01T00:00:00Z")
        let download = try w.jobs.database.connect()
        try download.execute("BEGIN")
        try download.query("SELECT 1 FROM recordings WHERE id = 'downloading' FOR SHARE")
        let first = try await w.run()
        #expect(first.status == 0 && first.report["recording_ids"] as? [String] == ["idle"], "\(first.report)")
        #expect(w.exists("downloading"))
        try download.execute("COMMIT")
        let second = try await w.run()
        #expect(second.report["recording_ids"] as? [String] == ["downloading"], "\(second.report)")
        #expect(!w.exists("downloading"))
    }

    @Test("S3 (moto checking signatures): objects are deleted; wrong credentials fail at the storage and are retried")
    func s3() async throws {
        let moto = try MotoServer(checkingSignatures: true)
        defer { moto.stop() }
        let keys = try moto.fixture("credentials", accessKey: "AKIAIOSFODNN7EXAMPLE", secretKey: "unused-before-auth")
        let (accessKey, secretKey) = (try #require(keys["accessKeyId"] as? String), try #require(keys["secretAccessKey"] as? String))
        let w = try World()
        for id in ["s3-a", "s3-b"] {
            try w.recording(id, received: "2026-11-01T00:00:00Z", file: false)
            _ = try moto.fixture("put", ["bucket": "clinic", "key": "calls/2026/11/\(id).webm", "body": "webm"], accessKey: accessKey, secretKey: secretKey)
        }
        let storage: [String: String?] = ["CALLCTL_RECORDING_STORAGE": "s3://clinic/calls/", "AWS_ENDPOINT_URL": moto.endpoint,
                                          "AWS_ACCESS_KEY_ID": accessKey, "AWS_SECRET_ACCESS_KEY": "wrong-secret-wrong-secret-wrong-secret-00"]
        let refused = try await w.run(environment: storage)
        #expect(refused.status == 1 && refused.report["failed"] as? Int == 2, "\(refused.report)")
        #expect(try w.jobs.value("SELECT purge_error FROM recordings WHERE id = 's3-a'")?.contains("SignatureDoesNotMatch") == true)
        #expect(!refused.errors.contains("wrong-secret") && !refused.errors.contains(secretKey))
        var good = storage
        good["AWS_SECRET_ACCESS_KEY"] = secretKey
        let deleted = try await w.run(environment: good)
        #expect(deleted.status == 0 && deleted.report["deleted"] as? Int == 2, "\(deleted.report) \(deleted.errors)")
        for id in ["s3-a", "s3-b"] {
            let exists = try moto.fixture("exists", ["bucket": "clinic", "key": "calls/2026/11/\(id).webm"], accessKey: accessKey, secretKey: secretKey)
            #expect(exists["exists"] as? Bool == false)
        }
    }
}
