import Foundation
import Postgres
import Testing

@Suite("Postgres wrapper: pipelines", .serialized)
struct PostgresPipelineTests {
    /// A connection that prepares its statements (the daemon's), and one that does not.
    static func connections(_ database: TestDatabase) throws -> [PGConnection] {
        let prepared = try database.connect()
        prepared.preparesStatements = true
        return [prepared, try database.connect()]
    }

    @Test("statements sent with BEGIN run in order, each seeing the ones before; results come back in order; again, prepared ones are reused")
    func inOrder() throws {
        let database = try TestDatabase()
        for connection in try Self.connections(database) {
            try connection.execute("DROP TABLE IF EXISTS t; CREATE TABLE t (n int)")
            for round in 1...2 {
                let (count, echo) = try connection.transaction(pipelining: [
                    PGStatement("INSERT INTO t VALUES ($1::int)", [Int64(round)]),
                    PGStatement("SELECT count(*) AS c FROM t"),
                    PGStatement("SELECT $1::text AS echo", ["round \(round)"]),
                ]) { _, results in
                    #expect(results.count == 3)
                    return (try results[1].first?.decode(Int64.self, "c"), try results[2].first?.decode(String.self, "echo"))
                }
                #expect(count == Int64(round))
                #expect(echo == "round \(round)")
            }
        }
    }

    @Test("a failing statement throws its own error, the ones after it do not run, nothing commits, and the connection stays usable")
    func failure() throws {
        let database = try TestDatabase()
        for connection in try Self.connections(database) {
            try connection.execute("DROP TABLE IF EXISTS t; CREATE TABLE t (n int)")
            var bodyRan = false
            let error = #expect(throws: PostgresError.self) {
                try connection.transaction(pipelining: [
                    PGStatement("INSERT INTO t VALUES ($1::int)", [Int64(1)]),
                    PGStatement("SELECT 1 / $1::int AS boom", [Int64(0)]),
                    PGStatement("INSERT INTO t VALUES ($1::int)", [Int64(2)]),
                ]) { _, _ in bodyRan = true }
            }
            #expect(error?.sqlState == "22012")
            #expect(!bodyRan)
            #expect(!connection.isInTransaction)
            #expect(try connection.query("SELECT count(*) AS c FROM t").first?.decode(Int64.self, "c") == 0)
            let syntax = #expect(throws: PostgresError.self) {
                try connection.transaction(pipelining: [PGStatement("SELECT 1"), PGStatement("SELEC nothing")]) { _, _ in }
            }
            #expect(syntax?.sqlState == "42601")
            #expect(!connection.isInTransaction)
            try connection.transaction(pipelining: [PGStatement("INSERT INTO t VALUES ($1::int)", [Int64(3)])]) { _, _ in }
            #expect(try connection.query("SELECT array_agg(n)::text AS ns FROM t").first?.decode(String.self, "ns") == "{3}")
        }
    }

    @Test("transaction(pipelining:): BEGIN travels with the first statements; their failure rolls back; a read after a lock sees what was committed during the wait")
    func transactionPipelining() async throws {
        let database = try TestDatabase()
        let setup = try database.connect()
        try setup.execute("CREATE TABLE a (id int PRIMARY KEY, note text); INSERT INTO a VALUES (1, 'before')")
        let connection = try database.connect()
        connection.preparesStatements = true
        #expect(throws: PostgresError.self) {
            try connection.transaction(pipelining: [PGStatement("SELECT 1 / 0")]) { _, _ in 0 }
        }
        #expect(!connection.isInTransaction)

        // Another session holds the row and changes it; the pipelined lock waits, and the read
        // placed after it sees the committed change, not the snapshot from before the wait.
        let holder = try database.connect()
        try holder.execute("BEGIN; UPDATE a SET note = 'changed while waiting' WHERE id = 1")
        let settings = try database.settings()
        let waiter = BackgroundValue { () -> Result<String?, any Error> in
            Result {
                let connection = try PGConnection(settings: settings)
                connection.preparesStatements = true
                return try connection.transaction(pipelining: [
                    PGStatement("SELECT id FROM a WHERE id = $1::int FOR UPDATE", [Int64(1)]),
                    PGStatement("SELECT note FROM a WHERE id = $1::int", [Int64(1)]),
                ]) { _, results in try results[1].first?.decode(String.self, "note") }
            }
        }
        let admin = try database.connect()
        #expect(try await waitsForLock(admin))
        try holder.execute("COMMIT")
        #expect(try waiter.value()?.get() == "changed while waiting")
    }

    /// True once some session waits for a row lock (within 5 s).
    private func waitsForLock(_ admin: PGConnection) async throws -> Bool {
        for _ in 0..<500 {
            let waiting = try admin.query("SELECT count(*) AS c FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
                .first?.decode(Int64.self, "c") ?? 0
            if waiting > 0 { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return false
    }
}
