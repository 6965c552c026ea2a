import Foundation
import Postgres
import Testing

@Suite("Postgres wrapper: async pool", .serialized)
struct PostgresPoolTests {
    @Test("many concurrent tasks share at most `size` connections")
    func boundedConcurrency() async throws {
        let database = try TestDatabase()
        let pool = PGPool(settings: try database.settings(), size: 3)
        let pids = try await withThrowingTaskGroup(of: Int32.self) { group in
            for index in 0..<40 {
                group.addTask {
                    try await pool.withConnection { connection in
                        try connection.query("SELECT pg_sleep(0.01), $1::int AS i", index)
                        return connection.backendPID
                    }
                }
            }
            return try await group.reduce(into: Set<Int32>()) { $0.insert($1) }
        }
        #expect(pids.count <= 3)
        #expect(!pids.isEmpty)
        await pool.close()
    }

    @Test("all `size` connections run statements at once, not only as many as there are CPUs")
    func parallelStatements() async throws {
        let database = try TestDatabase()
        let admin = try database.connect()
        try admin.query("SELECT pg_advisory_lock($1)", Int64(42))
        let pool = PGPool(settings: try database.settings(), size: 8)
        let waiters = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        _ = try await pool.withConnection { try $0.query("SELECT pg_advisory_xact_lock_shared($1)", Int64(42)) }
                    }
                }
                try await group.waitForAll()
            }
        }
        // pg_locks is cluster-wide and other suites wait on advisory locks too: count this database's only.
        let blocked = """
            SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """
        let allWaiting = try eventually(within: 20) { try admin.query(blocked).first!.decode(Int64.self, "n") == 8 }
        try admin.query("SELECT pg_advisory_unlock($1)", Int64(42))
        try await waiters.value
        #expect(allWaiting, "fewer than 8 statements were in flight at once")
        await pool.close()
    }

    @Test("prepared statements: one per SQL and type list, NULLs and other types kept apart, a reset session re-prepares")
    func preparedStatements() async throws {
        let database = try TestDatabase()
        let pool = PGPool(settings: try database.settings(), size: 1, preparesStatements: true)
        let sql = "SELECT coalesce($1::text, 'none') AS v"
        let values: [String] = try await pool.withConnection { connection in
            try ["a", nil, "b"].map { try connection.query(sql, $0).first!.decode(String.self, "v") }
                + [try connection.query(sql, Int64(7)).first!.decode(String.self, "v")]
        }
        #expect(values == ["a", "none", "b", "7"])
        let prepared: Int64 = try await pool.withConnection { connection in
            try connection.query("SELECT count(*) AS n FROM pg_prepared_statements WHERE statement = $1", sql).first!.decode(Int64.self, "n")
        }
        #expect(prepared == 3, "text, unspecified (NULL) and int8 parameter types each get their own statement")
        let admin = try database.connect()
        let pid: Int32 = try await pool.withConnection { $0.backendPID }
        try admin.query("SELECT pg_terminate_backend($1::int)", Int64(pid))
        #expect(try await backendGone(pid, watchedBy: admin))
        // The very next use succeeds, on a new session that prepares the statement again.
        let (again, newPID): (String, Int32) = try await pool.withConnection {
            (try $0.query(sql, "c").first!.decode(String.self, "v"), $0.backendPID)
        }
        #expect(again == "c")
        #expect(newPID != pid)
        await pool.close()
    }

    @Test("a killed backend is reconnected on next use; an abandoned transaction is rolled back")
    func recovers() async throws {
        let database = try TestDatabase()
        let admin = try database.connect()
        try admin.execute("CREATE TABLE t (n int)")
        let pool = PGPool(settings: try database.settings(), size: 1)
        struct Abandon: Error {}
        await #expect(throws: Abandon.self) {
            try await pool.withConnection { connection in
                try connection.execute("BEGIN")
                try connection.query("INSERT INTO t VALUES ($1)", 1)
                throw Abandon()
            }
        }
        let pid = try await pool.withConnection { connection in connection.backendPID }
        #expect(try admin.query("SELECT count(*) AS c FROM t").first?.decode(Int64.self, "c") == 0)
        try admin.query("SELECT pg_terminate_backend($1::int)", pid)
        #expect(try await backendGone(pid, watchedBy: admin))
        // The very next use must succeed: the pool reopens the connection before running the body.
        let next = try await pool.withConnection { connection -> Int32 in
            try connection.query("SELECT 1")
            return connection.backendPID
        }
        #expect(next != pid)
        await pool.close()
        await #expect(throws: PostgresError.self) { try await pool.withConnection { _ in 1 } }
    }

    @Test("a connection in use while the pool closes is closed when its caller releases it")
    func closesBusyConnection() async throws {
        let database = try TestDatabase()
        let admin = try database.connect()
        let pool = PGPool(settings: try database.settings(), size: 1)
        let (started, starting) = AsyncStream.makeStream(of: Int32.self)
        async let busy = pool.withConnection { connection -> Int32 in
            starting.yield(connection.backendPID)
            try connection.query("SELECT pg_sleep(0.2)")
            return connection.backendPID
        }
        let pid = try #require(await started.first { _ in true })
        await pool.close()
        #expect(try await busy == pid)
        #expect(try await backendGone(pid, watchedBy: admin))
        await #expect(throws: PostgresError.self) { try await pool.withConnection { _ in 1 } }
    }

    @Test("a waiter whose expected wait exceeds the timeout is refused at once; without an estimate it waits the timeout")
    func refusesExpectedLongWait() async throws {
        let database = try TestDatabase()
        let clock = ContinuousClock()
        for trained in [true, false] {
            let pool = PGPool(settings: try database.settings(), size: 1, acquireTimeout: .seconds(1))
            if trained {
                // One release that held the only connection 1.2 s: the next waiter expects 1.2 s > 1 s.
                try await pool.withConnection { try $0.query("SELECT pg_sleep(1.2)") }
            }
            let (started, starting) = AsyncStream.makeStream(of: Void.self)
            async let holder: Void = pool.withConnection { connection in
                starting.yield()
                try connection.query("SELECT pg_sleep(1.5)")
            }
            _ = await started.first { _ in true }
            let start = clock.now
            let refusal = await #expect(throws: PostgresError.self) { try await pool.withConnection { _ in 1 } }
            let waited = clock.now - start
            #expect(refusal?.kind == .overloaded)
            if trained {
                #expect(waited < .milliseconds(500), "refused after \(waited)")
                #expect(refusal?.message.contains("the next would wait longer than 1.0 seconds") == true, "\(String(describing: refusal))")
            } else {
                #expect(waited >= .milliseconds(900), "refused after \(waited)")
                #expect(refusal?.message.contains("no database connection became free within 1.0 seconds") == true,
                        "\(String(describing: refusal))")
            }
            try await holder
            await pool.close()
        }
    }

    /// Polls `pg_stat_activity` until backend `pid` has left it; false when it is still there
    /// after `limit`.
    private func backendGone(_ pid: Int32, watchedBy admin: PGConnection, within limit: Duration = .seconds(5)) async throws -> Bool {
        let deadline = ContinuousClock.now + limit
        while true {
            let present = try admin.query("SELECT count(*) AS c FROM pg_stat_activity WHERE pid = $1::int", pid)
                .first?.decode(Int64.self, "c") ?? 0
            if present == 0 { return true }
            if ContinuousClock.now >= deadline { return false }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
