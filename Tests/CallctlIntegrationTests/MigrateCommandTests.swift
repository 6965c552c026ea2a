import CallStore
import Foundation
import Postgres
import Testing

@Suite("callctl migrate as a process", .serialized)
struct MigrateCommandTests {
    @Test("up, then status --format json lists every migration applied with timestamps")
    func upAndStatusJSON() async throws {
        let database = try TestDatabase()
        let up = await InProcess.run(["migrate", "up", "--database-url", database.connectionString])
        #expect(up.status == 0, "\(up.output)")
        #expect(up.standardOutput.contains("applied 0001 tenants_users_doctors_patients"))
        #expect(up.standardOutput.contains("schema is at version \(MigrationCatalog.latestVersion)"))
        let status = await InProcess.run(["migrate", "status", "--format", "json", "--database-url", database.connectionString])
        #expect(status.status == 0)
        let object = try status.json()
        let applied = try #require(object["applied"] as? [[String: Any]])
        #expect(applied.count == MigrationCatalog.all.count)
        #expect((object["pending"] as? [Any])?.isEmpty == true)
        #expect(object["current_version"] as? Int == Int(MigrationCatalog.latestVersion))
        #expect(applied.allSatisfy { PGTimestamp.parse(($0["applied_at"] as? String) ?? "") != nil })
    }

    @Test("two concurrent `migrate up` processes, both waiting for the migration lock at once, both succeed and apply each migration once")
    func concurrentProcesses() throws {
        let database = try TestDatabase()
        // A barrier: the test holds the migration lock until both processes wait for it together.
        let blocker = try database.connect()
        try blocker.query("SELECT pg_advisory_lock($1)", Migrator.lockKey)
        let runs = try (0..<2).map { _ in
            try BackgroundRun(databaseURL: database.connectionString, ["migrate", "up", "--log-level", "error"])
        }
        var waiting: [Int32] = []
        let bothWaiting = try eventually(within: 60) {
            waiting = try blocker.backendsWaitingOnLock("%pg_advisory_xact_lock%")
            return waiting.count == runs.count
        }
        try blocker.query("SELECT pg_advisory_unlock($1)", Migrator.lockKey)
        #expect(bothWaiting, "\(waiting.count) of \(runs.count) processes were waiting for the migration lock at once")
        var output = ""
        for run in runs {
            let ending = try run.finish()
            #expect(ending.status == 0, "\(ending.output)")
            output += ending.standardOutput
        }
        // Between them, every migration once: whichever took the lock first for it applied it.
        for migration in MigrationCatalog.all {
            #expect(output.components(separatedBy: "applied \(migration.label) in ").count == 2, "\(migration.label): \(output)")
        }
        let row = try database.connect().query("SELECT count(*) AS c, count(DISTINCT version) AS d FROM schema_migrations").first
        #expect(try row?.decode(Int64.self, "c") == Int64(MigrationCatalog.all.count))
        #expect(try row?.decode(Int64.self, "d") == Int64(MigrationCatalog.all.count))
    }

    @Test("a tampered checksum: up exits 1 naming the migration, status exits 1 and shows CHANGED")
    func tamperedChecksum() async throws {
        let database = try TestDatabase()
        #expect(await InProcess.run(["migrate", "up", "--database-url", database.connectionString]).status == 0)
        try database.connect().query("UPDATE schema_migrations SET checksum = 'edited' WHERE version = $1", Int64(3))
        let up = await InProcess.run(["migrate", "up", "--database-url", database.connectionString, "--log-format", "json"])
        #expect(up.status == 1)
        #expect(up.standardError.contains("0003 call_sessions"))
        let status = await InProcess.run(["migrate", "status", "--database-url", database.connectionString])
        #expect(status.status == 1)
        #expect(status.standardOutput.contains("CHANGED"))
    }

    @Test("plan prints only the pending SQL and changes nothing; down --to then up again")
    func planDownUp() async throws {
        let database = try TestDatabase()
        let url = database.connectionString
        #expect(await InProcess.run(["migrate", "up", "--database-url", url]).status == 0)
        let down = await InProcess.run(["migrate", "down", "--to", "4", "--database-url", url])
        #expect(down.status == 0, "\(down.output)")
        #expect(down.standardOutput.contains("reverted 0006 settings"))
        let plan = await InProcess.run(["migrate", "plan", "--database-url", url])
        #expect(plan.status == 0)
        #expect(plan.standardOutput.contains("CREATE TABLE outbox ("))
        #expect(plan.standardOutput.contains("CREATE TABLE settings ("))
        #expect(!plan.standardOutput.contains("CREATE TABLE call_sessions ("))
        #expect(try Migrator(connection: database.connect()).status().currentVersion == 4)
        let up = await InProcess.run(["migrate", "up", "--database-url", url, "--format", "json"])
        #expect(up.status == 0, "\(up.output)")
        let object = try up.json()
        #expect((object["applied"] as? [[String: Any]])?.compactMap { $0["version"] as? Int } == [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17])
    }

    @Test("down without --to, or with a negative one, is a usage error (64)")
    func downNeedsTarget() async throws {
        #expect(await InProcess.run(["migrate", "down", "--database-url", "host=/nowhere"]).status == 64)
        #expect(await InProcess.run(["migrate", "down", "--to=-1", "--database-url", "host=/nowhere"]).status == 64)
    }
}
