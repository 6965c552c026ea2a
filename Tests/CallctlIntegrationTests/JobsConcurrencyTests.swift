import Foundation
import Testing

@Suite("jobs under concurrent runners and kill -9", .serialized)
struct JobsConcurrencyTests {
    static let now = "2026-03-29T10:00:00Z"

    @Test("six no-show runners, all in a batch at once, change each appointment exactly once, one outbox row per change")
    func concurrentNoShow() throws {
        let world = try JobsWorld()
        let ids = try world.dueAppointments(600, before: Self.now)
        for id in ids.prefix(60) { try world.session(id, "ringing", requested: "2026-03-28T10:00:00Z") }
        let runs = try Self.overlapping(6, in: world, ["jobs", "no-show", "--batch-size", "7", "--now", Self.now, "--format", "json"])
        var marked: [Int] = []
        var closed = 0
        var working = 0
        for run in runs {
            let ending = try run.finish()
            #expect(ending.status == 0, "\(ending.output)")
            let json = try ending.json()
            let own = try #require(json["appointment_ids"] as? [Int], "\(ending.output)")
            marked += own
            working += own.isEmpty ? 0 : 1
            closed += try #require(json["closed_calls"] as? Int, "\(ending.output)")
        }
        #expect(working == runs.count, "only \(working) of \(runs.count) runners marked appointments")
        #expect(marked.count == 600)
        #expect(Set(marked) == Set(ids.map(Int.init)))
        #expect(closed == 60)
        #expect(try world.count("SELECT count(*) FROM appointments WHERE status = 'no_show'") == 600)
        #expect(try world.count("SELECT count(*) FROM outbox") == 660)
        #expect(try world.count("SELECT count(*) FROM appointment_call_events") == 660)
        #expect(try world.count("SELECT count(DISTINCT channel || event) FROM outbox") == 660)
        #expect(try world.count("SELECT count(*) FROM call_sessions WHERE state = 'ended' AND end_reason = 'window_closed'") == 60)
        #expect(try world.brokenNoShowTrails() == 0)
    }

    @Test("four reapers, all in a batch at once, end each call exactly once")
    func concurrentReap() throws {
        let world = try JobsWorld()
        let ids = try world.dueAppointments(200, before: Self.now)
        for id in ids { try world.session(id, "ringing", requested: "2026-03-29T09:59:00Z") }
        let runs = try Self.overlapping(4, in: world, ["jobs", "reap", "--batch-size", "9", "--now", Self.now, "--format", "json"])
        var closed = 0
        var working = 0
        for run in runs {
            let ending = try run.finish()
            #expect(ending.status == 0, "\(ending.output)")
            let own = try #require(try ending.json()["closed"] as? Int, "\(ending.output)")
            closed += own
            working += own > 0 ? 1 : 0
        }
        #expect(working == runs.count, "only \(working) of \(runs.count) reapers closed calls")
        #expect(closed == 200)
        #expect(try world.count("SELECT count(*) FROM call_sessions WHERE end_reason = 'timeout_no_answer'") == 200)
        #expect(try world.count("SELECT count(*) FROM outbox") == 200)
        #expect(try world.count("SELECT count(DISTINCT call_id) FROM appointment_call_events WHERE type = 'timeout'") == 200)
        #expect(try world.count("SELECT count(*) FROM appointment_call_events") == 200)
    }

    /// Starts `count` runs of `arguments` behind a barrier: with the outbox locked, each claims
    /// a batch of its own and waits at its outbox insert. Once all of them wait at the same time
    /// (so they overlap, and would not if they ran one after another) the lock is released.
    static func overlapping(_ count: Int, in world: JobsWorld, _ arguments: [String]) throws -> [BackgroundRun] {
        let blocker = try world.database.connect()
        try blocker.execute("BEGIN; LOCK TABLE outbox IN EXCLUSIVE MODE")
        let runs = try (0..<count).map { _ in try BackgroundRun(world, arguments) }
        var waiting: [Int32] = []
        let allWaiting = try eventually(within: 60) {
            waiting = try world.connection.backendsWaitingOnLock("%INSERT INTO outbox%")
            return waiting.count == count
        }
        try blocker.execute("ROLLBACK")
        #expect(allWaiting, "\(waiting.count) of \(count) runners were waiting at the outbox at once")
        return runs
    }

    @Test("kill -9 after a batch wrote its updates and audit rows but not its outbox rows leaves nothing of it")
    func killInsideBatch() async throws {
        let world = try JobsWorld()
        _ = try world.dueAppointments(30, before: Self.now)
        let blocker = try world.database.connect()
        try blocker.execute("BEGIN; LOCK TABLE outbox IN EXCLUSIVE MODE")
        let run = try BackgroundRun(world, ["jobs", "no-show", "--batch-size", "10", "--now", Self.now])
        var backend: Int32?
        #expect(try eventually { backend = try world.backendWaitingOnLock("%INSERT INTO outbox%"); return backend != nil })
        #expect(try world.count("SELECT count(*) FROM appointments WHERE status = 'no_show'") == 0)
        let ending = try run.kill9()
        #expect(ending.status == 128 + SIGKILL)
        try blocker.execute("ROLLBACK")
        let pid = try #require(backend)
        #expect(try eventually { try world.backendGone(pid) })
        #expect(try world.count("SELECT count(*) FROM appointments WHERE status = 'no_show'") == 0)
        #expect(try world.count("SELECT count(*) FROM appointment_call_events") == 0)
        #expect(try world.count("SELECT count(*) FROM outbox") == 0)

        let (rerun, json) = try await world.runJSON(["jobs", "no-show", "--batch-size", "10", "--now", Self.now])
        #expect(rerun.status == 0, "\(rerun.output)")
        #expect(json["marked"] as? Int == 30)
        #expect(try world.brokenNoShowTrails() == 0)
    }

    @Test("kill -9 in the second batch keeps the first batch whole, leaves the second untouched, and a rerun finishes")
    func killBetweenBatches() async throws {
        let world = try JobsWorld()
        let ids = try world.dueAppointments(20, before: Self.now)
        let call = try world.session(ids[7], "ringing", requested: "2026-03-28T10:00:00Z")
        let blocker = try world.database.connect()
        try blocker.execute("BEGIN")
        try blocker.query("SELECT 1 FROM call_sessions WHERE id = $1 FOR UPDATE", call)
        let run = try BackgroundRun(world, ["jobs", "no-show", "--batch-size", "5", "--now", Self.now])
        var backend: Int32?
        #expect(try eventually { backend = try world.backendWaitingOnLock("%FROM call_sessions s%"); return backend != nil })
        _ = try run.kill9()
        try blocker.execute("ROLLBACK")
        let pid = try #require(backend)
        #expect(try eventually { try world.backendGone(pid) })
        let noShows = try world.connection.query("SELECT id FROM appointments WHERE status = 'no_show' ORDER BY id")
            .rows.map { try $0.decode(Int64.self, "id") }
        #expect(noShows == Array(ids.prefix(5)))
        #expect(try world.brokenNoShowTrails() == 0)
        #expect(try world.value("SELECT state FROM call_sessions WHERE id = $1", call) == "ringing")

        let (rerun, json) = try await world.runJSON(["jobs", "no-show", "--batch-size", "5", "--now", Self.now])
        #expect(rerun.status == 0, "\(rerun.output)")
        #expect(json["marked"] as? Int == 15)
        #expect(try world.count("SELECT count(*) FROM appointments WHERE status = 'no_show'") == 20)
        #expect(try world.value("SELECT end_reason FROM call_sessions WHERE id = $1", call) == "window_closed")
        #expect(try world.count("SELECT count(*) FROM outbox") == 21)
        #expect(try world.brokenNoShowTrails() == 0)
    }
}
