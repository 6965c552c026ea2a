import Foundation
import Postgres
import Testing

/// `callctl recordings list` and `recordings show` on a seeded history: sessions, consents,
/// recording files and their audit rows inserted with SQL, times relative to now, with
/// `recording.retention` set to 2 days.
@Suite("callctl recordings: files, consents, downloads and purges", .serialized)
struct RecordingsCommandTests {
    /// One appointment (`recorded`) with a call recorded with consent and then stopped, its four
    /// files (available, overdue, purge failing, purged), a download, and a second call whose file
    /// was refused as a violation; one appointment (`other`) recorded now with a recent file; one
    /// appointment (`quiet`) with a call and no recording activity.
    struct Seed {
        let world: JobsWorld
        let recorded: Int64, other: Int64, quiet: Int64
        let call: UUID, refusedCall: UUID, otherCall: UUID

        init(_ label: String = #function) async throws {
            world = try JobsWorld(label)
            let ago = { (seconds: Double) in PGTimestamp.format(Date().addingTimeInterval(-seconds)) }
            let day = 86_400.0
            recorded = try world.appointment(ago(11 * day), status: "completed")
            other = try world.appointment(ago(3600), status: "in_progress")
            quiet = try world.appointment(ago(2 * day), status: "completed")
            call = try world.session(recorded, "ended", requested: ago(11 * day), ended: ago(11 * day - 1800), reason: "hangup")
            refusedCall = try world.session(recorded, "ended", requested: ago(5 * day), ended: ago(5 * day - 600), reason: "hangup")
            otherCall = try world.session(other, "in_call", requested: ago(3000), connected: ago(2900))
            try world.session(quiet, "ended", requested: ago(2 * day), ended: ago(2 * day - 900), reason: "hangup")
            #expect(await world.run(["config", "set", "recording.retention", "2d"]).status == 0)

            let (doctor, patient) = (world.doctorUserId, world.patientUserId)
            try world.connection.query("""
                INSERT INTO recording_consents (call_id, user_id, granted, at)
                VALUES ($1, $2, true, now() - interval '11 days'), ($1, $3, false, now() - interval '11 days' + interval '20 minutes'),
                       ($4, $2, true, now() - interval '40 minutes'), ($4, $3, true, now() - interval '40 minutes')
                """, call, doctor, patient, otherCall)
            try world.connection.query("UPDATE call_sessions SET recording_since = now() - interval '30 minutes' WHERE id = $1", otherCall)
            try file("rec-available", recorded, call, received: "2 hours")
            try file("rec-overdue", recorded, call, received: "3 days")
            try file("rec-failing", recorded, call, received: "4 days", attempts: 2, error: "HTTP 403 AccessDenied from the storage")
            try file("rec-purged", recorded, call, received: "10 days", purged: "8 days")
            try file("rec-other", other, otherCall, received: "5 minutes")
            try audit(recorded, call, "recording_consent", doctor, "11 days", ["note": "granted"])
            try audit(recorded, call, "recording_consent", patient, "11 days 1 second", ["note": "granted"])
            try audit(recorded, call, "recording_started", doctor, "10 days 23 hours 58 minutes")
            try audit(recorded, call, "recording_consent", patient, "10 days 23 hours 40 minutes", ["note": "withdrawn"])
            try audit(recorded, call, "recording_stopped", patient, "10 days 23 hours 40 minutes", ["note": "consent_withdrawn"])
            try audit(recorded, call, "recording_available", nil, "10 days", ["note": "recording rec-purged"])
            try audit(recorded, call, "recording_deleted", nil, "8 days", ["job": "purge_recordings", "note": "recording rec-purged"])
            try audit(recorded, refusedCall, "recording_violation", nil, "5 days", ["ip": "198.51.100.9", "note": "recording rec-bad"])
            try audit(recorded, call, "recording_downloaded", patient, "1 hour",
                      ["by": "patient", "ip": "203.0.113.7", "userAgent": "Mozilla/5.0 test", "note": "recording rec-available"])
            try audit(recorded, call, "recording_downloaded", doctor, "30 minutes",
                      ["by": "doctor", "ip": "203.0.113.8", "note": "recording rec-available"])
        }

        private func file(_ id: String, _ appointment: Int64, _ call: UUID, received: String, purged: String? = nil,
                          attempts: Int32 = 0, error: String? = nil) throws {
            try world.connection.query("""
                INSERT INTO recordings (id, appointment_id, call_id, storage_key, size_bytes, duration_seconds, body_sha256, received_at,
                                        purged_at, purge_attempts, purge_error)
                VALUES ($1, $2, $3, CASE WHEN $5::text IS NULL THEN '2026/' || $1 || '.webm' END, 1234567, 1800, 'sha',
                        now() - $4::interval, now() - $5::interval, $6, $7)
                """, id, appointment, call, received, purged, attempts, error)
        }

        private func audit(_ appointment: Int64, _ call: UUID, _ type: String, _ user: Int64?, _ ago: String,
                           _ payload: [String: String] = [:]) throws {
            let json = String(decoding: try JSONSerialization.data(withJSONObject: payload), as: UTF8.self)
            try world.connection.query("""
                INSERT INTO appointment_call_events (appointment_id, call_id, type, user_id, at, payload)
                VALUES ($1, $2, $3, $4, now() - $5::interval, $6::jsonb)
                """, appointment, call, type, user, ago, json)
        }

        /// `callctl recordings list … --format json` as an array of objects.
        func list(_ arguments: [String] = []) async throws -> [[String: Any]] {
            let outcome = await world.run(["recordings", "list"] + arguments + ["--format", "json"])
            #expect(outcome.status == 0, "\(outcome.output)")
            let array = try? JSONSerialization.jsonObject(with: Data(outcome.standardOutput.utf8))
            return try #require(array as? [[String: Any]], "stdout is not a JSON array: \(outcome.output)")
        }
    }

    private func ids(_ files: [[String: Any]]) -> [String] {
        files.compactMap { $0["recording_id"] as? String }
    }

    @Test("list: each file's status from recording.retention, its purge due time, error and downloads, as JSON and as a table")
    func list() async throws {
        let s = try await Seed()
        let files = try await s.list()
        #expect(ids(files) == ["rec-other", "rec-available", "rec-overdue", "rec-failing", "rec-purged"], "\(files)")
        let byId = Dictionary(uniqueKeysWithValues: files.map { ($0["recording_id"] as? String ?? "", $0) })
        #expect(byId.mapValues { $0["status"] as? String } == [
            "rec-other": "available", "rec-available": "available", "rec-overdue": "overdue", "rec-failing": "purge_failing",
            "rec-purged": "purged",
        ])
        let available = try #require(byId["rec-available"])
        let received = try #require(PGTimestamp.parse(available["received_at"] as? String ?? ""))
        let due = try #require(PGTimestamp.parse(available["purge_due_at"] as? String ?? ""))
        #expect(due.timeIntervalSince(received) == 2 * 86_400)
        #expect(available["location"] as? String == "2026/rec-available.webm" && available["size_bytes"] as? Int == 1_234_567)
        #expect(available["duration_seconds"] as? Int == 1800 && available["call_id"] as? String == s.call.uuidString.lowercased())
        let downloads = try #require(available["downloads"] as? [[String: Any]])
        #expect(downloads.compactMap { $0["role"] as? String } == ["patient", "doctor"], "\(downloads)")
        #expect(downloads.first?["ip"] as? String == "203.0.113.7" && downloads.first?["user_id"] as? Int == Int(s.world.patientUserId))
        #expect(byId["rec-failing"]?["purge_error"] as? String == "HTTP 403 AccessDenied from the storage")
        #expect(byId["rec-failing"]?["purge_attempts"] as? Int == 2)
        let purged = try #require(byId["rec-purged"])
        #expect(purged["location"] is NSNull && purged["purged_at"] is String && purged["purge_error"] is NSNull, "\(purged)")
        // Every file has the same keys.
        #expect(Set(files.map { $0.keys.sorted() }).count == 1)

        let text = await s.world.run(["recordings", "list"])
        #expect(text.status == 0, "\(text.output)")
        let lines = text.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("RECORDING") == true && lines.last == "5 recording files", "\(text.standardOutput)")
        let failing = try #require(lines.first { $0.hasPrefix("rec-failing ") })
        #expect(failing.contains("purge_failing") && failing.contains("2 times: HTTP 403 AccessDenied"), "\(failing)")
        #expect(try #require(lines.first { $0.hasPrefix("rec-purged ") }).contains("purged 20"))
        let available2 = try #require(lines.first { $0.hasPrefix("rec-available ") })
        #expect(available2.contains("1.2 MiB") && available2.contains("30m") && available2.contains("2026/rec-available.webm"),
                "\(available2)")
    }

    @Test("list filters: --status, --appointment, --since (received or purged), --limit; nothing matching says so in one line")
    func filters() async throws {
        let s = try await Seed()
        #expect(ids(try await s.list(["--status", "overdue"])) == ["rec-overdue"])
        #expect(ids(try await s.list(["--status", "purge_failing"])) == ["rec-failing"])
        #expect(ids(try await s.list(["--status", "purged"])) == ["rec-purged"])
        #expect(ids(try await s.list(["--status", "available"])) == ["rec-other", "rec-available"])
        #expect(ids(try await s.list(["--appointment", String(s.other)])) == ["rec-other"])
        #expect(ids(try await s.list(["--since", "24h"])) == ["rec-other", "rec-available"])
        #expect(ids(try await s.list(["--since", "9d"])) == ["rec-other", "rec-available", "rec-overdue", "rec-failing", "rec-purged"])
        #expect(ids(try await s.list(["--limit", "2"])) == ["rec-other", "rec-available"])
        #expect(try await s.list(["--appointment", String(s.quiet)]).isEmpty)
        let limited = await s.world.run(["recordings", "list", "--limit", "2"])
        #expect(limited.standardOutput.hasSuffix("2 recording files (the newest 2; raise --limit for more)\n"), "\(limited.output)")
        let none = await s.world.run(["recordings", "list", "--appointment", String(s.quiet)])
        #expect(none.status == 0 && none.standardOutput == "no recording files match the filters\n", "\(none.output)")
        // The retention is read each time: at 30 days nothing is overdue or due.
        #expect(await s.world.run(["config", "set", "recording.retention", "30d"]).status == 0)
        #expect(try await s.list(["--status", "overdue"]).isEmpty)
    }

    @Test("show: per call the consents, start and stop with reasons, the violation; per file location, retention and downloads")
    func show() async throws {
        let s = try await Seed()
        let outcome = await s.world.run(["recordings", "show", String(s.recorded), "--format", "json"])
        #expect(outcome.status == 0, "\(outcome.output)")
        let report = try outcome.json()
        #expect(report["appointment_id"] as? Int == Int(s.recorded) && report["retention_seconds"] as? Int == 2 * 86_400)
        let calls = try #require(report["calls"] as? [[String: Any]])
        #expect(calls.compactMap { $0["call_id"] as? String } == [s.call, s.refusedCall].map { $0.uuidString.lowercased() })
        let call = calls[0]
        let consents = try #require(call["consents"] as? [String: Any])
        #expect((consents["doctor"] as? [String: Any])?["granted"] as? Bool == true)
        #expect((consents["patient"] as? [String: Any])?["granted"] as? Bool == false)
        #expect(call["recording_since"] is NSNull)
        let steps = try #require(call["steps"] as? [[String: Any]])
        #expect(steps.map { "\($0["type"] as? String ?? "")/\($0["note"] as? String ?? "-")" } == [
            "recording_consent/granted", "recording_consent/granted", "recording_started/-", "recording_consent/withdrawn",
            "recording_stopped/consent_withdrawn", "recording_available/recording rec-purged", "recording_deleted/recording rec-purged",
        ], "\(steps)")
        #expect(steps[2]["role"] as? String == "doctor" && steps[4]["role"] as? String == "patient")
        let files = try #require(call["files"] as? [[String: Any]])
        #expect(ids(files) == ["rec-purged", "rec-failing", "rec-overdue", "rec-available"])
        #expect((files.last?["downloads"] as? [[String: Any]])?.count == 2)
        let violation = try #require((calls[1]["steps"] as? [[String: Any]])?.first)
        #expect(violation["type"] as? String == "recording_violation" && violation["recording_id"] as? String == "rec-bad")
        #expect(violation["user_id"] is NSNull && (calls[1]["files"] as? [Any])?.isEmpty == true)

        let text = await s.world.run(["recordings", "show", String(s.recorded), "--tz", "Europe/Berlin"])
        #expect(text.status == 0, "\(text.output)")
        let output = text.standardOutput
        for fragment in [
            "recording.retention 2d; times in Europe/Berlin", "consent: doctor granted at", "patient withdrew at",
            "recording_stopped", "consent_withdrawn", "1 violation (a file announced without consent, refused)",
            "file rec-failing: purge_failing", "2 failed attempts; last error: HTTP 403 AccessDenied from the storage",
            "location   2026/rec-available.webm", "location   - (purged)", "1.2 MiB (1,234,567 bytes), length 30m",
            "patient (user \(s.world.patientUserId))", "203.0.113.7", "Mozilla/5.0 test", "downloads  none",
        ] {
            #expect(output.contains(fragment), "missing '\(fragment)' in:\n\(output)")
        }
        let recording = await s.world.run(["recordings", "show", String(s.other)])
        #expect(recording.standardOutput.contains("RECORDING since"), "\(recording.output)")
    }

    @Test("show: an appointment without recording activity exits 0 saying so; one that does not exist exits 1 naming it")
    func showNothing() async throws {
        let s = try await Seed()
        let quiet = await s.world.run(["recordings", "show", String(s.quiet)])
        #expect(quiet.status == 0 && quiet.standardOutput.hasSuffix("\nno recording activity\n"), "\(quiet.output)")
        let json = await s.world.run(["recordings", "show", String(s.quiet), "--format", "json"])
        #expect((try json.json()["calls"] as? [Any])?.isEmpty == true, "\(json.output)")
        let missing = await s.world.run(["recordings", "show", "987654321"])
        #expect(missing.status == 1 && missing.standardOutput.isEmpty, "\(missing.output)")
        #expect(missing.standardError.contains("there is no appointment 987654321 in this database"), "\(missing.output)")
    }

    @Test("--help has examples; bad flags are refused as usage errors before the database is touched")
    func usage() async throws {
        let unreachable = try unreachableDatabaseURL()
        for command in [["recordings"], ["recordings", "list"], ["recordings", "show"]] {
            let help = await InProcess.run(command + ["--help"])
            #expect(help.status == 0 && help.standardOutput.contains("Examples:"), "\(command): \(help.output)")
        }
        for arguments in [["list", "--limit", "0"], ["list", "--limit", "10001"], ["list", "--since", "0"], ["list", "--since", "3651d"],
                          ["list", "--since", "soon"], ["list", "--status", "gone"], ["list", "--appointment", "0"], ["show", "0"],
                          ["show", "abc"], ["show", "1", "--tz", "Mars/Olympus"]] {
            let outcome = await InProcess.run(["recordings"] + arguments, environment: ["DATABASE_URL": unreachable])
            #expect(outcome.status == 64, "\(arguments): \(outcome.output)")
        }
    }
}
