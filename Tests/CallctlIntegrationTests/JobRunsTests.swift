import CallStore
import Foundation
import Testing

@Suite("jobs record their runs in job_runs", .serialized)
struct JobRunsTests {
    /// Every run of `job`, oldest first: outcome, dry_run, claimed, changed, error, finished.
    static func runs(_ world: JobsWorld, _ job: String) throws
        -> [(outcome: String, dryRun: Bool, claimed: Int, changed: Int, error: String?, finished: Bool)] {
        try world.connection.query("""
            SELECT outcome, dry_run, claimed, changed, error, finished_at IS NOT NULL AS finished
            FROM job_runs WHERE job = $1 ORDER BY id
            """, job).rows.map { row in
            (try row.decode(String.self, "outcome"), try row.decode(Bool.self, "dry_run"), Int(try row.decode(Int32.self, "claimed")),
             Int(try row.decode(Int32.self, "changed")), try row.decode(String?.self, "error"), try row.decode(Bool.self, "finished"))
        }
    }

    @Test("a run that changes nothing is recorded as succeeded with zero counts; a run that changes rows records its counts")
    func recorded() async throws {
        let world = try JobsWorld()
        #expect(await world.run(["jobs", "reap"]).status == 0)
        let idle = try Self.runs(world, "reap")
        #expect(idle.count == 1)
        #expect(idle.first?.outcome == "succeeded" && idle.first?.dryRun == false && idle.first?.finished == true)
        #expect(idle.first?.claimed == 0 && idle.first?.changed == 0 && idle.first?.error == nil)

        _ = try world.dueAppointments(3, before: "2026-03-29T10:00:00Z")
        let marked = await world.run(["jobs", "no-show", "--now", "2026-03-29T10:00:00Z", "--batch-size", "2"])
        #expect(marked.status == 0, "\(marked.output)")
        let runs = try Self.runs(world, "no_show")
        #expect(runs.count == 1)
        #expect(runs.first?.outcome == "succeeded" && runs.first?.claimed == 3 && runs.first?.changed == 3)
    }

    @Test("the start is committed at once: a run blocked on its settings read shows as running, then completes")
    func visibleWhileRunning() async throws {
        let world = try JobsWorld()
        let blocker = try world.database.connect()
        try blocker.execute("BEGIN; LOCK TABLE settings IN ACCESS EXCLUSIVE MODE")
        let run = try BackgroundRun(world, ["jobs", "no-show"])
        #expect(try eventually { try world.backendWaitingOnLock("%FROM settings%") != nil })
        let running = try Self.runs(world, "no_show")
        #expect(running.count == 1)
        #expect(running.first?.outcome == "running" && running.first?.finished == false)
        try blocker.execute("COMMIT")
        let ending = try run.finish()
        #expect(ending.status == 0, "\(ending.output)")
        #expect(try Self.runs(world, "no_show").first?.outcome == "succeeded")
    }

    @Test("a failing run is recorded as failed with the error people saw, and no connection string")
    func failed() async throws {
        let world = try JobsWorld()
        _ = try world.dueAppointments(2, before: "2026-03-29T10:00:00Z")
        try world.connection.execute("""
            CREATE FUNCTION refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'appointments are frozen for the test'; END $$;
            CREATE TRIGGER frozen BEFORE UPDATE ON appointments FOR EACH ROW EXECUTE FUNCTION refuse_update();
            """)
        let outcome = await world.run(["jobs", "no-show", "--now", "2026-03-29T10:00:00Z"])
        #expect(outcome.status == 1, "\(outcome.output)")
        let runs = try Self.runs(world, "no_show")
        #expect(runs.count == 1)
        let run = try #require(runs.first)
        #expect(run.outcome == "failed" && run.finished && run.changed == 0)
        let error = try #require(run.error)
        #expect(error.contains("appointments are frozen for the test"))
        #expect(outcome.standardError.contains(error))
        #expect(!error.contains(world.database.connectionString) && !error.contains("postgresql://"))
    }

    @Test("a dry run is recorded with dry_run = true and what it would change; diagnose db does not count it")
    func dryRun() async throws {
        let world = try JobsWorld()
        _ = try world.dueAppointments(2, before: "2026-03-29T10:00:00Z")
        #expect(await world.run(["jobs", "no-show", "--dry-run", "--now", "2026-03-29T10:00:00Z"]).status == 0)
        let runs = try Self.runs(world, "no_show")
        #expect(runs.count == 1)
        #expect(runs.first?.dryRun == true && runs.first?.outcome == "succeeded" && runs.first?.changed == 2)
        #expect(try world.count("SELECT count(*) FROM appointments WHERE status = 'no_show'") == 0)

        let (diagnosis, json) = try await world.runJSON(["diagnose", "db"])
        let jobs = try #require(json["jobs"] as? [String: [String: Any]], "\(diagnosis.output)")
        #expect(jobs["no_show"]?["state"] as? String == "never_ran")
    }

    @Test("completing a run is guarded by outcome = 'running'; a start prunes its own job's runs older than 30 days")
    func guardedAndPruned() throws {
        let world = try JobsWorld()
        let store = JobRunStore(connection: world.connection)
        let run = try store.start("reap", dryRun: false)
        #expect(try store.finish(run, claimed: 4, changed: 2, failure: nil))
        #expect(try store.finish(run, claimed: 9, changed: 9, failure: "late") == false)
        #expect(try Self.runs(world, "reap").map { "\($0.outcome) \($0.changed) \($0.error ?? "-")" } == ["succeeded 2 -"])

        try world.connection.query("""
            INSERT INTO job_runs (job, started_at, outcome) VALUES
              ('reap', now() - interval '31 days', 'succeeded'), ('no_show', now() - interval '31 days', 'succeeded'),
              ('reap', now() - interval '29 days', 'succeeded')
            """)
        _ = try store.start("reap", dryRun: true)
        #expect(try world.count("SELECT count(*) FROM job_runs WHERE job = 'reap'") == 3)
        #expect(try world.count("SELECT count(*) FROM job_runs WHERE started_at < now() - interval '30 days'") == 1)
        let long = try store.start("no_show", dryRun: false)
        #expect(try store.finish(long, claimed: 0, changed: 0, failure: String(repeating: "x", count: 5000)))
        #expect(try world.count("SELECT length(error) FROM job_runs WHERE id = $1", long) == JobRunStore.errorLimit)
    }
}
