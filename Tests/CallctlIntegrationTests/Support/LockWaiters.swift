import Postgres

extension PGConnection {
    /// The backends of this connection's database (other than its own) that wait for a lock
    /// while running a statement LIKE `pattern`: the proof that runners reached a barrier the
    /// test holds, all at the same time. Ask on a connection outside a transaction: within one,
    /// PostgreSQL answers from the snapshot of pg_stat_activity it took at its first read.
    func backendsWaitingOnLock(_ pattern: String) throws -> [Int32] {
        try query("""
            SELECT pid FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock' AND query LIKE $1
            ORDER BY pid
            """, pattern).rows.map { try $0.decode(Int32.self, "pid") }
    }
}
