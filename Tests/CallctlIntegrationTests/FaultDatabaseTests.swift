import CallStore
import Foundation
@testable import LocalServices
import Postgres
import Testing

/// Issue 10, fault tests with real processes on loopback: PostgreSQL restarted under a
/// running daemon, and a cron job killed with SIGKILL in the middle of its batches.
@Suite("Fault: PostgreSQL restart under serve, cron job killed mid-batch", .serialized)
struct FaultDatabaseTests {
    @Test("Fault: PostgreSQL stopped (-m fast) and restarted while serve takes lifecycle requests: /readyz follows, nothing half-applied, every event relayed and received")
    func postgresRestartedUnderServe() throws {
        // A server of its own: the shared test server is used by every other suite at once.
        let postgres = try RestartablePostgres()
        defer { postgres.server.stop() }
        let database = try TestDatabase(on: postgres.server, "faultrestart")
        var connection = try database.migrated()
        let clinic = try ClinicSeed(on: connection)
        let appointments = try FaultSeed.appointments(400, doctorUserId: clinic.doctorUserId, on: connection)
        connection.close()

        let server = try ServeProcess.start(database, FaultSubscriber.serveArguments)
        defer { _ = try? server.stop() }
        let subscriber = try FaultSubscriber(port: server.port, channels: appointments.map { "private-appointments.\($0)" })
        defer { subscriber.stop() }
        let traffic = FaultTraffic(port: server.port, appointments: appointments, token: try ServeToken.hs256(user: clinic.doctorUserId),
                                   pause: 0.03)
        defer { traffic.stop() }
        #expect(eventually(within: 10) { traffic.successes >= 20 })

        // Load opens most of the pool (10 connections), as a day's traffic would.
        let warm = simultaneously(12) { _ in (try? server.request("GET", "/readyz").status) ?? -1 }
        #expect(warm.allSatisfy { $0 == 200 })
        let beforeStop = traffic.steps.count
        let stopped = Date()
        try postgres.stop()
        var downStatus = 0
        #expect(eventually(within: 5) {
            downStatus = (try? server.request("GET", "/readyz").status) ?? -1
            return downStatus != 200
        })
        let notReadyAfter = Date().timeIntervalSince(stopped)
        Thread.sleep(forTimeInterval: 3)
        let whileDown = try server.request("GET", "/readyz")
        whileDown.expectError(503, "unavailable")

        let beforeRestart = traffic.steps.count
        try postgres.start()
        let restarted = Date()
        var ready = false
        _ = eventually(within: 10) {
            ready = (try? server.request("GET", "/readyz").status) == 200
            return ready
        }
        let recovery = Date().timeIntervalSince(restarted)
        let whenReady = traffic.steps.count
        #expect(ready && recovery < 5, "/readyz recovered after \(recovery) s")
        // Once ready, concurrent requests use every pooled connection: none may fail on a
        // connection left over from before the restart.
        let burst = simultaneously(12) { _ in (try? server.request("GET", "/readyz").status) ?? -1 }
        #expect(burst.allSatisfy { $0 == 200 }, "concurrent /readyz right after recovery: \(burst)")
        connection = try database.connect()
        defer { connection.close() }
        let count = { (sql: String) in Int(try connection.query(sql).first!.decode(Int64.self, at: 0)) }
        #expect(try eventually(within: 10) {
            try count("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'callctl outbox relay' AND datname = current_database()") == 1
        })
        let relayBack = Date().timeIntervalSince(restarted)
        Thread.sleep(forTimeInterval: 3)
        let steps = traffic.stop()

        #expect(try eventually(within: 10) { try count("SELECT count(*) FROM outbox WHERE relayed_at IS NULL OR published_at IS NULL") == 0 })
        let ledger = try FaultLedger(steps, on: connection)
        #expect(ledger.problems.isEmpty, "\(ledger.problems.prefix(10))")
        #expect(ledger.acknowledged > 20 && ledger.failed > 0, "\(ledger.summary)")
        func statuses(_ range: Range<Int>) -> String {
            Dictionary(grouping: steps[range], by: \.status).mapValues(\.count).sorted { $0.key < $1.key }
                .map { "\($0.value)×\($0.key)" }.joined(separator: " ")
        }
        #expect(steps[..<beforeStop].allSatisfy { $0.status == 200 })
        // The request in flight when /readyz answered 200 may have started before the restart.
        #expect(steps[min(whenReady + 1, steps.count)...].allSatisfy { $0.status == 200 },
                "after /readyz was 200 again: \(statuses(whenReady..<steps.count))")
        // Appointments the traffic never reached have nothing at all.
        let touched = Set(steps.map(\.appointment))
        let untouched = appointments.filter { !touched.contains($0) }
        #expect(try connection.query("SELECT count(*) FROM call_sessions WHERE appointment_id = ANY($1)", PGInt64Array(ids: untouched))
                    .first!.decode(Int64.self, at: 0) == 0)

        let emitted = try faultOutboxEvents(connection)
        #expect(eventually(within: 10) { Set(subscriber.events).isSuperset(of: emitted.map(\.event)) })
        let received = subscriber.events
        let missing = Set(emitted.map(\.event)).subtracting(received)
        #expect(missing.isEmpty, "not received: \(missing.prefix(5))")
        #expect(received.count == Set(received).count, "duplicates received")
        #expect(Set(received).isSubset(of: emitted.map(\.event)), "received events that are not in the outbox")

        let drops = subscriber.drops
        #expect(drops == 0, "the WebSocket dropped during the outage: \(subscriber.notes.suffix(2000))")
        subscriber.stop()
        let ending = try server.stop()
        #expect(ending.status == 0, "\(ending.standardError.suffix(3000))")
        print("""
            FAULT postgres-restart: /readyz non-200 (\(downStatus)) \(ms(notReadyAfter)) ms after pg_ctl stop -m fast; \
            200 again \(ms(recovery)) ms after pg_ctl start returned, then 12 concurrent /readyz: \
            \(burst.filter { $0 == 200 }.count)×200 non-200 \(burst.filter { $0 != 200 }); the outbox relay reconnected within \(ms(relayBack)) ms of the restart
            FAULT postgres-restart: lifecycle answers before the stop \(statuses(0..<beforeStop)); PostgreSQL down \
            \(statuses(beforeStop..<beforeRestart)); restarted, not yet ready \(statuses(beforeRestart..<whenReady)); \
            after ready \(statuses(whenReady..<steps.count))
            FAULT postgres-restart: ledger: \(ledger.summary)
            FAULT postgres-restart: events emitted (outbox rows) \(emitted.count), received by the WebSocket subscriber \(received.count) \
            (distinct \(Set(received).count)), WebSocket drops during the outage \(drops)
            """)
    }

    @Test("Fault: jobs no-show SIGKILLed after its first batch of 500 commits: whole batches only, the rerun marks the rest exactly once")
    func cronJobKilledMidBatch() async throws {
        let now = "2026-03-29T10:00:00Z"
        let total = 20_000, batch = 500
        let world = try JobsWorld()
        let ids = try world.dueAppointments(total, before: now)
        #expect(ids.count == total)
        let started = Date()
        let run = try BackgroundRun(world, ["jobs", "no-show", "--batch-size", "\(batch)", "--now", now, "--format", "json"])
        var seen = 0
        #expect(try eventually(within: 60) {
            seen = try world.count("SELECT count(*) FROM outbox")
            return seen >= batch
        })
        let ending = try run.kill9()
        let killedAfter = Date().timeIntervalSince(started)
        #expect(ending.status == 128 + SIGKILL, "the job ended on its own before the kill: \(ending.output.suffix(2000))")
        // The job's backend rolls its open transaction back once it notices its client is gone.
        #expect(try eventually(within: 10) {
            try world.count("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()") == 0
        })

        let marked = try world.count("SELECT count(*) FROM appointments WHERE status = 'no_show'")
        #expect(marked >= batch && marked < total)
        #expect(marked % batch == 0, "\(marked) marked: not whole batches of \(batch)")
        #expect(try Self.brokenTrails(world) == 0)
        #expect(try world.count("SELECT count(*) FROM appointment_call_events") == marked)
        #expect(try world.count("SELECT count(*) FROM outbox") == marked)
        let firstIds = Set(try world.connection.query("SELECT id FROM appointments WHERE status = 'no_show'").rows
            .map { try $0.decode(Int64.self, "id") })

        let (rerun, json) = try await world.runJSON(["jobs", "no-show", "--batch-size", "\(batch)", "--now", now])
        #expect(rerun.status == 0, "\(rerun.output.suffix(2000))")
        #expect(json["marked"] as? Int == total - marked)
        let rerunIds = Set((json["appointment_ids"] as? [Int] ?? []).map(Int64.init))
        #expect(rerunIds.isDisjoint(with: firstIds), "the rerun marked appointments the killed run had marked")
        #expect(rerunIds.union(firstIds) == Set(ids))
        #expect(try world.count("SELECT count(*) FROM appointments WHERE status = 'no_show'") == total)
        #expect(try world.count("SELECT count(*) FROM appointment_call_events") == total)
        #expect(try world.count("SELECT count(*) FROM outbox") == total)
        #expect(try Self.brokenTrails(world) == 0)
        print("""
            FAULT cron-kill: jobs no-show --batch-size \(batch) on \(total) due appointments SIGKILLed \(ms(killedAfter)) ms after start, \
            when \(seen) outbox rows were visible; after the rollback \(marked) appointments were marked (\(marked / batch) whole batches, \
            0 partial); the rerun marked \(json["marked"] as? Int ?? -1), total \(total), double marks 0
            """)
    }

    @Test("Fault: pooled connections whose backends were terminated while idle are reopened on next use, not failed")
    func poolSurvivesTerminatedBackends() async throws {
        let database = try TestDatabase()
        let admin = try database.connect()
        defer { admin.close() }
        let pool = PGPool(settings: try database.settings(), size: 4, applicationName: "fault-pool")
        func concurrently(_ sql: String) async -> [Bool] {
            await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<4 { group.addTask { (try? await pool.withConnection { try $0.query(sql) }) != nil } }
                return await group.reduce(into: []) { $0.append($1) }
            }
        }
        #expect(await concurrently("SELECT pg_sleep(0.2)") == [true, true, true, true])
        let backends = "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'fault-pool' AND datname = current_database()"
        #expect(try admin.query(backends).first!.decode(Int64.self, at: 0) == 4)
        try admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'fault-pool'")
        #expect(try eventually(within: 5) { try admin.query(backends).first!.decode(Int64.self, at: 0) == 0 })
        let after = await concurrently("SELECT pg_sleep(0.2)")
        #expect(after == [true, true, true, true], "statements on connections closed while idle: \(after)")
        await pool.close()
        print("FAULT pool: 4 idle pooled connections terminated by the server; next 4 concurrent statements: "
              + "\(after.filter { $0 }.count) succeeded, \(after.filter { !$0 }.count) failed")
    }

    /// Appointments whose trail is not exactly (no_show, one audit row, one outbox row) or
    /// (not no_show, neither): 0 when every batch was all-or-nothing.
    static func brokenTrails(_ world: JobsWorld) throws -> Int {
        try world.count("""
            WITH e AS (SELECT appointment_id, count(*) AS n FROM appointment_call_events WHERE type = 'no_show' AND call_id IS NULL GROUP BY 1),
            o AS (SELECT channel, count(*) AS n FROM outbox WHERE event = 'App\\Events\\AppointmentNoShow' GROUP BY 1)
            SELECT count(*) FROM appointments a
            LEFT JOIN e ON e.appointment_id = a.id
            LEFT JOIN o ON o.channel = 'private-appointments.' || a.id
            WHERE CASE WHEN a.status = 'no_show' THEN coalesce(e.n, 0) <> 1 OR coalesce(o.n, 0) <> 1
                       ELSE coalesce(e.n, 0) <> 0 OR coalesce(o.n, 0) <> 0 END
            """)
    }
}

/// Milliseconds, rounded, for the printed figures.
func ms(_ seconds: TimeInterval) -> Int { Int((seconds * 1000).rounded()) }

/// A throwaway PostgreSQL that a test may stop (`pg_ctl stop -m fast`) and start again with
/// the same data, port and socket, as an operator's restart does.
struct RestartablePostgres {
    let server: ThrowawayPostgres
    private let pgctl: String
    private var owner: [String] { LocalHost.isRoot ? ["runuser", "-u", "postgres", "--"] : [] }

    init() throws {
        server = try ThrowawayPostgres()
        pgctl = try ThrowawayPostgres.findBinDirectory() + "/pg_ctl"
    }

    func stop() throws {
        let outcome = try CommandRunner.run(owner + [pgctl, "-D", server.directory + "/data", "-m", "fast", "-w", "stop"])
        guard outcome.status == 0 else { throw LocalServiceError("pg_ctl stop failed: \(outcome.output)") }
    }

    /// Starts it again with ThrowawayPostgres's options.
    func start() throws {
        let options = "-p \(server.port) -k \(server.socketDirectory) -c listen_addresses=127.0.0.1 -c fsync=off"
            + " -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        let outcome = try CommandRunner.run(owner + [pgctl, "-D", server.directory + "/data", "-l", server.directory + "/server.log",
                                                     "-o", options, "-w", "-t", "60", "start"])
        guard outcome.status == 0 else { throw LocalServiceError("pg_ctl start failed: \(outcome.output)") }
    }
}

extension TestDatabase {
    /// A fresh database on `server` instead of the shared one.
    init(on server: ThrowawayPostgres, _ label: String) throws {
        self.server = server
        name = "t_\(label)_\(UInt32.random(in: 0...UInt32.max))"
        try server.createDatabase(name)
    }
}
