extension PGConnection {
    /// Runs `body` inside `BEGIN` … `COMMIT`; any thrown error rolls back and is rethrown.
    /// `begin` may add statements to the `BEGIN` (such as `SET LOCAL`), sent in the same round trip.
    @discardableResult
    public func transaction<T>(begin: String = "BEGIN", _ body: (PGConnection) throws -> T) throws -> T {
        try execute(begin)
        do {
            let value = try body(self)
            try execute("COMMIT")
            return value
        } catch {
            if isHealthy { try? execute("ROLLBACK") }
            throw error
        }
    }

    /// Takes a transaction-scoped advisory lock, waiting for it; released at COMMIT/ROLLBACK.
    public func advisoryTransactionLock(_ key: Int64) throws(PostgresError) {
        try query("SELECT pg_advisory_xact_lock($1)", key)
    }

    /// Tries a transaction-scoped advisory lock without waiting; true when taken.
    public func tryAdvisoryTransactionLock(_ key: Int64) throws(PostgresError) -> Bool {
        try query("SELECT pg_try_advisory_xact_lock($1) AS taken", key).first?.decode(Bool.self, "taken") ?? false
    }

    /// Tries a session-scoped advisory lock without waiting; true when taken.
    public func tryAdvisoryLock(_ key: Int64) throws(PostgresError) -> Bool {
        try query("SELECT pg_try_advisory_lock($1) AS taken", key).first?.decode(Bool.self, "taken") ?? false
    }

    /// Releases a session-scoped advisory lock; true when it was held.
    @discardableResult
    public func advisoryUnlock(_ key: Int64) throws(PostgresError) -> Bool {
        try query("SELECT pg_advisory_unlock($1) AS released", key).first?.decode(Bool.self, "released") ?? false
    }
}
