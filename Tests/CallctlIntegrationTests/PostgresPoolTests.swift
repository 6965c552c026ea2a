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
        try await Task.sleep(for: .milliseconds(100))
        _ = try? await pool.withConnection { try $0.query("SELECT 1") }
        let next = try await pool.withConnection { connection -> Int32 in
            try connection.query("SELECT 1")
            return connection.backendPID
        }
        #expect(next != pid)
        await pool.close()
        await #expect(throws: PostgresError.self) { try await pool.withConnection { _ in 1 } }
    }
}
