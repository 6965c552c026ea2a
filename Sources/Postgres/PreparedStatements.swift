import CLibPQ

/// Named server-side prepared statements for a connection that runs the same statements over
/// and over (the daemon): each distinct SQL text and parameter-type list is parsed and planned
/// once per session with `PQprepare`, then run with `PQexecPrepared`.
///
/// Off by default: PgBouncer in transaction mode before 1.21 does not keep a session's
/// prepared statements. The cache is bounded; statements beyond it run unprepared. A reset
/// connection is a new session, so the cache is emptied with it.
struct StatementCache {
    /// Most statements prepared per connection.
    static let capacity = 256

    private struct Key: Hashable {
        let sql: String
        let types: [PGTypeOID]
    }

    private var names: [Key: String] = [:]
    private var prepared = 0

    /// The prepared statement's name for `sql` with `types`, or nil when it is not prepared yet.
    func name(_ sql: String, _ types: [PGTypeOID]) -> String? { names[Key(sql: sql, types: types)] }

    /// A new name for `sql` with `types`, or nil when the cache is full.
    mutating func reserve(_ sql: String, _ types: [PGTypeOID]) -> String? {
        guard names.count < Self.capacity else { return nil }
        prepared += 1
        let name = "callctl_\(prepared)"
        names[Key(sql: sql, types: types)] = name
        return name
    }

    /// Forgets a name whose PREPARE failed.
    mutating func forget(_ sql: String, _ types: [PGTypeOID]) { names[Key(sql: sql, types: types)] = nil }

    /// Forgets everything (a new server session).
    mutating func clear() { names.removeAll() }
}

extension PGConnection {
    /// Runs `sql` as a prepared statement, preparing it on first use.
    func executePrepared(_ sql: String, types: [PGTypeOID], values: UnsafePointer<UnsafePointer<CChar>?>?,
                         on connection: OpaquePointer) throws(PostgresError) -> OpaquePointer? {
        if let name = statements.name(sql, types) {
            return PQexecPrepared(connection, name, Int32(types.count), values, nil, nil, 0)
        }
        guard let name = statements.reserve(sql, types) else {
            return types.withUnsafeBufferPointer { PQexecParams(connection, sql, Int32(types.count), $0.baseAddress, values, nil, nil, 0) }
        }
        let prepared = types.withUnsafeBufferPointer { PQprepare(connection, name, sql, Int32(types.count), $0.baseAddress) }
        do {
            try check(prepared)
        } catch {
            statements.forget(sql, types)
            throw error
        }
        return PQexecPrepared(connection, name, Int32(types.count), values, nil, nil, 0)
    }
}
