import Foundation
import Postgres
import Testing

@Suite("Postgres wrapper: transactions and advisory locks", .serialized)
struct PostgresTransactionTests {
    struct Boom: Error {}

    @Test("a thrown error rolls back everything the body wrote; success commits")
    func rollbackOnThrow() throws {
        let database = try TestDatabase()
        let connection = try database.connect()
        try connection.execute("CREATE TABLE t (n int)")
        #expect(throws: Boom.self) {
            try connection.transaction { transaction in
                try transaction.query("INSERT INTO t VALUES ($1)", 1)
                throw Boom()
            }
        }
        #expect(!connection.isInTransaction)
        try connection.transaction { try $0.query("INSERT INTO t VALUES ($1)", 2) }
        let other = try database.connect()
        #expect(try other.query("SELECT array_agg(n)::text AS ns FROM t").first?.decode(String.self, "ns") == "{2}")
    }

    @Test("a failed statement inside a transaction rolls it back and the connection stays usable")
    func failedStatement() throws {
        let connection = try TestDatabase().connect()
        try connection.execute("CREATE TABLE t (n int PRIMARY KEY)")
        #expect(throws: PostgresError.self) {
            try connection.transaction { transaction in
                try transaction.query("INSERT INTO t VALUES ($1)", 1)
                try transaction.query("INSERT INTO t VALUES ($1)", 1)
            }
        }
        #expect(try connection.query("SELECT count(*) AS c FROM t").first?.decode(Int64.self, "c") == 0)
    }

    @Test("advisory locks: session locks exclude other sessions, transaction locks end at commit")
    func advisoryLocks() throws {
        let database = try TestDatabase()
        let first = try database.connect()
        let second = try database.connect()
        #expect(try first.tryAdvisoryLock(42))
        #expect(try !second.tryAdvisoryLock(42))
        #expect(try first.advisoryUnlock(42))
        #expect(try second.tryAdvisoryLock(42))
        try second.advisoryUnlock(42)

        try first.transaction { transaction in
            try transaction.advisoryTransactionLock(7)
            #expect(try second.transaction { try !$0.tryAdvisoryTransactionLock(7) })
        }
        #expect(try second.transaction { try $0.tryAdvisoryTransactionLock(7) })
    }
}
