import Foundation
import LocalServices
import Postgres
import Testing

@Suite("callctl demo end to end", .serialized)
struct DemoTests {
    /// The steps a complete run prints `ok` for (coturn is installed by scripts/setup.sh).
    static let steps = 28

    @Test("on an empty database: every step ok, the scenario's rows, events and KPI figures in the database and the output")
    func scenarioOnGivenDatabase() throws {
        let database = try TestDatabase()
        let run = try CLI.run(["demo", "--database-url", database.connectionString])
        let output = run.standardOutput
        #expect(run.status == 0, "\(run.output)")
        #expect(output.components(separatedBy: "\n        ok (").count - 1 == Self.steps, "\(output)")
        #expect(!output.contains("FAIL") && !output.contains("\n        skipped: "), "\(output)")
        #expect(output.contains("every step passed"))
        #expect(output.contains("events written = received: doctor's browser 16 of 16, patient's browser 10 of 10"), "\(output)")
        #expect(output.contains("TURN OK"), "\(output)")
        #expect(output.contains("with coturn stopped the browser is told: relay unavailable since"), "\(output)")
        #expect(output.contains("PASS: 13 passed, 0 warned, 0 failed, 2 skipped"), "\(output)")
        let kpiRow = try #require(output.split(separator: "\n").first { $0.hasPrefix("total ") })
        // requested 3, connected 1, success 100 %, (time to connect varies), timeouts 1/3, busy 1/4, (duration), no-shows 1/6
        let cells = kpiRow.split(separator: " ").map(String.init)
        #expect(Array(cells.prefix(4)) == ["total", "3", "1", "100.0%"], "\(kpiRow)")
        // ... and no call dropped after connecting (0 of 1); no browser reports, so relayed and poor network are —.
        #expect(cells.filter { $0.hasSuffix("%") } == ["100.0%", "33.3%", "25.0%", "16.7%", "0.0%"], "\(kpiRow)")

        let connection = try database.connect()
        defer { connection.close() }
        let statuses = try connection.query("SELECT status FROM appointments ORDER BY id").rows.map { try $0.decode(String.self, "status") }
        #expect(statuses == ["completed", "scheduled", "scheduled", "scheduled", "scheduled", "no_show", "cancelled"])
        let sessions = try connection.query("SELECT appointment_id, state, end_reason FROM call_sessions ORDER BY appointment_id").rows.map {
            "\(try $0.decode(Int64.self, "appointment_id")) \(try $0.decode(String.self, "state")) \(try $0.decode(String?.self, "end_reason") ?? "-")"
        }
        #expect(sessions == ["1 ended hangup", "3 ended declined", "4 ended timeout_no_answer"])
        let audit = try connection.query("""
            SELECT type, count(*) AS n FROM appointment_call_events GROUP BY type ORDER BY type
            """).rows.map { "\(try $0.decode(String.self, "type"))=\(try $0.decode(Int64.self, "n"))" }
        #expect(audit.contains("busy=1") && audit.contains("no_show=1") && audit.contains("decline=1"), "\(audit)")
        let outbox = try connection.query("""
            SELECT count(*) AS total, count(published_at) AS published FROM outbox WHERE channel LIKE 'private-appointments.%'
            """).first
        // … and the recording's four: started, stopped with the call, available, deleted by the retention job.
        #expect(try outbox?.decode(Int64.self, "total") == 17)
        #expect(try outbox?.decode(Int64.self, "published") == 17)
        #expect(output.contains("nginx secure_link: the signed link → 200"), "\(output)")
        let recording = try connection.query("SELECT count(*) AS n FROM recordings WHERE purged_at IS NOT NULL AND storage_key IS NULL").first
        #expect(try recording?.decode(Int64.self, "n") == 1)
    }

    @Test("a database with tables is refused with exit 78 and left as it was")
    func refusesNonEmptyDatabase() throws {
        let database = try TestDatabase()
        let connection = try database.migrated()
        defer { connection.close() }
        let before = try connection.query("SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public'").first?.decode(Int64.self, "n")
        let run = try CLI.run(["demo", "--database-url", database.connectionString])
        #expect(run.status == 78, "\(run.output)")
        #expect(run.output.contains("give it an empty database"), "\(run.output)")
        #expect(try connection.query("SELECT count(*) AS n FROM appointments").first?.decode(Int64.self, "n") == 0)
        #expect(try connection.query("SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public'").first?.decode(Int64.self, "n") == before)
    }

    @Test("with no database: a throwaway PostgreSQL, removed at the end; DATABASE_URL is never touched")
    func throwawayServerIsRemoved() throws {
        let untouched = try TestDatabase()
        let run = try CLI.run(["demo"], environment: ["DATABASE_URL": untouched.connectionString])
        #expect(run.status == 0, "\(run.output)")
        let directory = try #require(Self.serverDirectory(in: run.standardOutput))
        #expect(!FileManager.default.fileExists(atPath: directory), "\(directory) is left behind")
        #expect(try Self.processes(mentioning: directory).isEmpty)
        let connection = try untouched.connect()
        defer { connection.close() }
        #expect(try connection.query("SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public'").first?.decode(Int64.self, "n") == 0)
    }

    @Test("Ctrl-C mid-run: exit 130 within seconds, the throwaway PostgreSQL and coturn stopped and removed")
    func interruptCleansUp() throws {
        let run = try BackgroundRun(databaseURL: "", ["demo"], environment: ["DATABASE_URL": nil])
        let deadline = Date().addingTimeInterval(60)
        while !run.standardOutputSoFar().contains("a consultation begins"), Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        let started = Date()
        run.send(SIGINT)
        let ending = try run.finish()
        #expect(ending.status == 130, "\(ending.output)")
        #expect(Date().timeIntervalSince(started) < 10)
        #expect(ending.standardOutput.contains("interrupted: stopping"))
        let directory = try #require(Self.serverDirectory(in: ending.standardOutput))
        #expect(!FileManager.default.fileExists(atPath: directory))
        #expect(try Self.processes(mentioning: directory).isEmpty)
        let turnDirectory = try #require(Self.turnDirectory(in: ending.standardOutput))
        #expect(!FileManager.default.fileExists(atPath: turnDirectory))
        #expect(try Self.processes(mentioning: turnDirectory).isEmpty)
    }

    @Test("--keep: the printed env file carries ICE and TURN for the probes, coturn's secret stays out of ps, a killed coturn is reaped, Ctrl-C leaves only the database")
    func keepServesThePlaybooks() throws {
        let run = try BackgroundRun(databaseURL: "", ["demo", "--keep"], environment: ["DATABASE_URL": nil])
        let deadline = Date().addingTimeInterval(120)
        while !run.standardOutputSoFar().contains("Press Ctrl-C"), Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        let output = run.standardOutputSoFar()
        let directory = try #require(Self.serverDirectory(in: output), "\(output)")
        defer { _ = try? CommandRunner.run(["sh", "-c", "pg_ctl -D '\(directory)/data' -m immediate stop; rm -rf '\(directory)'"],
                                           as: LocalHost.isRoot ? "postgres" : nil) }
        let file = directory + "/demo.env"
        let variables = try String(contentsOfFile: file, encoding: .utf8)
        if ThrowawayCoturn.isInstalled {
            #expect(variables.contains("CALLCTL_ICE_SERVERS=stun:127.0.0.1:") && variables.contains("CALLCTL_TURN_SECRET="), "\(variables)")
            let secret = try #require(variables.split(separator: "\n").first { $0.hasPrefix("CALLCTL_TURN_SECRET=") }?.dropFirst(20))
            let probe = try CLI.run(["probe", "ice", "--env-file", file])
            #expect(probe.status == 0, "\(probe.output)")
            let pid = try #require(output.firstMatch(of: /coturn runs as pid (\d+)/).flatMap { pid_t($0.output.1) }, "\(output)")
            let commandLine = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data()
            #expect(String(decoding: commandLine, as: UTF8.self).contains("turnserver"))
            #expect(!String(decoding: commandLine, as: UTF8.self).contains(secret))
            #expect(kill(pid, SIGKILL) == 0)
            let reaped = Date().addingTimeInterval(5)
            while FileManager.default.fileExists(atPath: "/proc/\(pid)"), Date() < reaped { Thread.sleep(forTimeInterval: 0.05) }
            #expect(!FileManager.default.fileExists(atPath: "/proc/\(pid)"), "the killed coturn \(pid) is left as a zombie")
        }
        let outbox = try CLI.run(["outbox", "status", "--env-file", file])
        #expect(outbox.status == 0, "\(outbox.output)")
        var nginx: (directory: String, url: String)?
        if ThrowawayNginx.isInstalled {
            let value = { (name: String) in variables.split(separator: "\n").first { $0.hasPrefix(name + "=") }.map { String($0.dropFirst(name.count + 1)) } }
            let https = try #require(value("CALLCTL_HTTPS_URL"), "\(variables)")
            let ready = try CommandRunner.run(["curl", "-sS", "--cacert", try #require(value("CALLCTL_CA_FILE")), https + "/readyz"])
            #expect(ready.status == 0 && ready.standardOutput.contains("ready"), "\(ready.output)")
            nginx = (try #require(output.firstMatch(of: /in (\S*callctl-nginx-\w+)/).map { String($0.output.1) }, "\(output)"), https)
        } else {
            #expect(output.contains("skipped: nginx is not installed"), "\(output)")
        }
        run.send(SIGINT)
        let ending = try run.finish()
        #expect(ending.status == 0, "\(ending.output)")
        #expect(ending.standardOutput.contains("the database keeps running"), "\(ending.standardOutput)")
        #expect(FileManager.default.fileExists(atPath: file))
        #expect(try !Self.processes(mentioning: directory).isEmpty, "the kept PostgreSQL is gone")
        let turnDirectory = try #require(Self.turnDirectory(in: ending.standardOutput))
        #expect(try Self.processes(mentioning: turnDirectory).isEmpty)
        if let nginx {
            #expect(!FileManager.default.fileExists(atPath: nginx.directory))
            #expect(try Self.processes(mentioning: nginx.directory).isEmpty, "nginx's master outlived the demo")
            // Workers' command lines name no directory; one left alive would still accept on the port.
            let refused = try CommandRunner.run(["curl", "-sS", "-k", "--max-time", "3", nginx.url + "/readyz"])
            #expect(refused.status == 7, "something still answers on nginx's port: \(refused.output)")
        }
        let lines = ending.standardOutput.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let stop = try #require(lines.firstIndex { $0.hasSuffix("Stop it with:") }.map { lines[$0 + 1] }, "\(ending.standardOutput)")
        let stopped = try CommandRunner.run(["sh", "-c", stop])
        #expect(stopped.status == 0 && !FileManager.default.fileExists(atPath: directory), "\(stop): \(stopped.output)")
    }

    /// The throwaway server's directory, from `initdb in /tmp/callctl-pg-XXXX, …`.
    static func serverDirectory(in output: String) -> String? {
        guard let range = output.range(of: #"initdb in (\S+),"#, options: .regularExpression) else { return nil }
        return String(output[range].dropFirst("initdb in ".count).dropLast())
    }

    /// coturn's directory, from `turnserver on 127.0.0.1:P (UDP and TCP), in /tmp/callctl-turn-XXXX`.
    static func turnDirectory(in output: String) -> String? {
        guard let range = output.range(of: #"\(UDP and TCP\), in \S+"#, options: .regularExpression) else { return nil }
        return String(output[range].dropFirst("(UDP and TCP), in ".count))
    }

    /// Command lines of running processes that contain `fragment` (zombies excluded).
    static func processes(mentioning fragment: String) throws -> [String] {
        let entries = try FileManager.default.contentsOfDirectory(atPath: "/proc").filter { Int($0) != nil }
        return entries.compactMap { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"), !data.isEmpty else { return nil }
            let line = String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
            return line.contains(fragment) ? line : nil
        }
    }
}
