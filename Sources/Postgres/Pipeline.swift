import CLibPQ

/// One statement of a pipeline: SQL and its parameters, as ``PGConnection/query(_:_:)`` takes them.
public struct PGStatement {
    let sql: String
    let parameters: [(any PGEncodable)?]

    /// A statement with parameters.
    public init(_ sql: String, _ parameters: [(any PGEncodable)?] = []) {
        self.sql = sql
        self.parameters = parameters
    }
}

extension PGConnection {
    /// Runs `statements` one after the other, as ``query(_:_:)`` would, but sent together in
    /// one libpq pipeline: one round trip instead of one each. The server still runs each
    /// statement on its own, in order, and each takes its own snapshot under READ COMMITTED,
    /// so a read placed after a lock sees what was committed while it waited. When a statement
    /// fails, the ones after it are not run and its error is thrown.
    ///
    /// Used only through ``transaction(pipelining:_:)``, whose `BEGIN` comes first: outside a
    /// transaction a pipeline would be one implicit transaction, unlike statements sent one by
    /// one. Without ``preparesStatements`` (a PgBouncer before 1.21, which may not relay
    /// pipelines) the statements are sent one by one.
    func pipeline(_ statements: [PGStatement]) throws(PostgresError) -> [PGResult] {
        guard preparesStatements, statements.count > 1 else {
            var results: [PGResult] = []
            for statement in statements { results.append(try query(statement.sql, statement.parameters)) }
            return results
        }
        let connection = try liveHandle()
        guard PQenterPipelineMode(connection) == 1 else {
            throw PostgresError(.connection, "cannot start a pipeline: " + settings.redact(String(cString: PQerrorMessage(connection))))
        }
        // Each statement sends a PREPARE first when it has none yet: that result comes first.
        var expected: [(sql: String, types: [PGTypeOID], prepares: Bool)] = []
        var sendFailed = false
        for statement in statements where !sendFailed {
            let types = statement.parameters.map { $0.map { type(of: $0).pgType } ?? PGType.unspecified }
            let texts: [String?] = statement.parameters.map { $0?.pgText }
            var prepares = false
            let name = self.statements.name(statement.sql, types) ?? {
                prepares = true
                return self.statements.reserve(statement.sql, types)
            }()
            let sent = texts.withOptionalCStringArray { values in
                types.withUnsafeBufferPointer { typeBuffer -> Bool in
                    guard let name else {
                        return PQsendQueryParams(connection, statement.sql, Int32(types.count), typeBuffer.baseAddress, values,
                                                 nil, nil, 0) == 1
                    }
                    if prepares, PQsendPrepare(connection, name, statement.sql, Int32(types.count), typeBuffer.baseAddress) != 1 {
                        return false
                    }
                    return PQsendQueryPrepared(connection, name, Int32(types.count), values, nil, nil, 0) == 1
                }
            }
            expected.append((statement.sql, types, prepares && name != nil))
            sendFailed = !sent
        }
        let synced = !sendFailed && PQpipelineSync(connection) == 1
        var results: [PGResult] = []
        var failure: PostgresError?
        for (sql, types, prepares) in expected where synced {
            if prepares, let error = nextResult(connection).error {
                self.statements.forget(sql, types)
                failure = failure ?? error
            }
            let outcome = nextResult(connection)
            if let result = outcome.result { results.append(result) } else { failure = failure ?? outcome.error }
        }
        if synced {
            // The sync point's own result, after which the pipeline is empty.
            while let result = PQgetResult(connection) {
                let status = PQresultStatus(result)
                PQclear(result)
                if status == PGRES_PIPELINE_SYNC { break }
            }
        }
        PQexitPipelineMode(connection)
        if sendFailed || !synced {
            throw PostgresError(.connection, "the connection to PostgreSQL at \(settings) failed while sending a pipeline: "
                + settings.redact(String(cString: PQerrorMessage(connection))))
        }
        if let failure { throw failure }
        return results
    }

    /// The next command's result in a pipeline (and the NULL that ends it): a result, or the
    /// error it carries (an aborted command carries none of its own and is reported as such).
    private func nextResult(_ connection: OpaquePointer) -> (result: PGResult?, error: PostgresError?) {
        guard let raw = PQgetResult(connection) else {
            return (nil, PostgresError(.connection, "the connection to PostgreSQL at \(settings) was lost in a pipeline"))
        }
        while let extra = PQgetResult(connection) { PQclear(extra) }
        if PQresultStatus(raw) == PGRES_PIPELINE_ABORTED {
            PQclear(raw)
            return (nil, PostgresError(.query, "not run: an earlier statement of the pipeline failed"))
        }
        do {
            return (try check(raw), nil)
        } catch {
            return (nil, error)
        }
    }
}
