import Foundation
import LocalServices
import Testing

@Suite("jobs: metrics file, health pings, exit codes", .serialized)
struct JobsMonitoringTests {
    @Test("--metrics-file writes a Prometheus textfile atomically; a failed run leaves it alone")
    func metricsFile() async throws {
        let world = try JobsWorld()
        _ = try world.dueAppointments(2, before: "2026-03-29T10:00:00Z")
        try await withScratchDirectory("callctl-metrics") { directory in
            let path = directory.appendingPathComponent("callctl_no_show.prom").path
            let started = Date().timeIntervalSince1970
            let outcome = await world.run(["jobs", "no-show", "--now", "2026-03-29T10:00:00Z", "--metrics-file", path])
            #expect(outcome.status == 0, "\(outcome.output)")
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text.contains("# TYPE callctl_job_last_success_timestamp_seconds gauge\n"))
            #expect(text.contains("callctl_job_changes{job=\"no_show\",change=\"marked_no_show\"} 2\n"))
            #expect(text.contains("callctl_job_changes{job=\"no_show\",change=\"call_window_closed\"} 0\n"))
            #expect(text.contains("callctl_job_outbox_rows{job=\"no_show\"} 2\n"))
            #expect(text.contains("callctl_job_duration_seconds{job=\"no_show\"} "))
            let stamp = text.split(separator: "\n").first { $0.hasPrefix("callctl_job_last_success_timestamp_seconds{job=\"no_show\"} ") }
            let seconds = try #require(stamp.flatMap { Double($0.split(separator: " ").last ?? "") })
            #expect(seconds >= started.rounded(.down) && seconds <= Date().timeIntervalSince1970 + 1)
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["callctl_no_show.prom"])

            let failed = await InProcess.run(["jobs", "no-show", "--metrics-file", path], environment: ["DATABASE_URL": try unreachableDatabaseURL()])
            #expect(failed.status == 69)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == text)

            let reapPath = directory.appendingPathComponent("callctl_reap.prom").path
            #expect(await world.run(["jobs", "reap", "--metrics-file", reapPath]).status == 0)
            let reap = try String(contentsOfFile: reapPath, encoding: .utf8)
            for reason in ["timeout_no_answer", "connect_timeout", "heartbeat_lost", "zombie_appointment"] {
                #expect(reap.contains("callctl_job_changes{job=\"reap\",change=\"\(reason)\"} 0\n"))
            }
        }
    }

    @Test("--ping-url: /start before, the URL on success, /fail on failure; an unreachable ping never fails the job")
    func pings() async throws {
        let world = try JobsWorld()
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let url = "http://127.0.0.1:\(server.port)/check/abc"
        let success = await world.run(["jobs", "no-show", "--ping-url", url])
        #expect(success.status == 0, "\(success.output)")
        #expect(server.requests == ["POST /check/abc/start", "POST /check/abc"])
        #expect(server.received.last?.body.contains("marked 0 appointments no_show") == true)

        let failure = await InProcess.run(["jobs", "reap", "--ping-url", url + "/"], environment: ["DATABASE_URL": try unreachableDatabaseURL()])
        #expect(failure.status == 69)
        #expect(server.requests.suffix(2) == ["POST /check/abc/start", "POST /check/abc/fail"])

        let nobody = await world.run(["jobs", "reap", "--ping-url", "http://127.0.0.1:\(try LocalHost.freePort())/secret-uuid",
                                    "--log-format", "json"])
        #expect(nobody.status == 0, "\(nobody.output)")
        #expect(nobody.standardError.contains("health ping failed"))
        #expect(!nobody.standardError.contains("secret-uuid"))
    }

    @Test("a database that is down exits 69 with one line saying so")
    func databaseDown() async throws {
        let outcome = await InProcess.run(["jobs", "no-show", "--log-format", "json"], environment: ["DATABASE_URL": try unreachableDatabaseURL()])
        #expect(outcome.status == 69)
        let lines = outcome.standardError.split(separator: "\n")
        #expect(lines.count == 1, "\(outcome.standardError)")
        #expect(lines.first?.contains("cannot connect to PostgreSQL") == true)
        #expect(outcome.standardOutput.isEmpty)
    }

    @Test("usage errors exit 64 with a clear message; a database without the schema exits 78")
    func usageAndConfiguration() async throws {
        let world = try JobsWorld()
        let badNow = await world.run(["jobs", "no-show", "--now", "yesterday"])
        #expect(badNow.status == 64)
        #expect(badNow.standardError.contains("--now must be an ISO-8601 instant"))
        #expect(await world.run(["jobs", "reap", "--now", "2026-03-29T10:00:00"]).status == 64)
        #expect(await world.run(["jobs", "no-show", "--batch-size", "0"]).status == 64)
        #expect(await world.run(["jobs", "reap", "--dry-run", "--metrics-file", "/tmp/x.prom"]).status == 64)
        #expect(await world.run(["jobs", "reap", "--ping-url", "ftp://example.test/x"]).status == 64)
        #expect(await world.run(["jobs", "no-show", "--metrics-file", "/nonexistent-dir/x.prom"]).status == 64)

        let bare = try TestDatabase()
        let unmigrated = await InProcess.run(["jobs", "no-show"], environment: ["DATABASE_URL": bare.connectionString])
        #expect(unmigrated.status == 78)
        #expect(unmigrated.standardError.contains("callctl migrate up"))
    }

    @Test("--help shows examples for both jobs")
    func help() async throws {
        for job in ["no-show", "reap"] {
            let outcome = await InProcess.run(["jobs", job, "--help"])
            #expect(outcome.status == 0)
            #expect(outcome.standardOutput.contains("Examples:"))
            #expect(outcome.standardOutput.contains("--dry-run"))
            #expect(outcome.standardOutput.contains("--ping-url"))
        }
    }
}
