import Postgres

/// Data-modifying statements joined into one (`WITH w1 AS (…), w2 AS (…) SELECT …`), so a
/// batch's writes cost one round trip instead of one each. Every part ends with
/// `RETURNING 1`; the row count of each is checked against what the caller expects.
struct CombinedWrite {
    private var parts: [(sql: String, expected: Int, what: String, refusal: (any Error & Sendable)?)] = []
    private var parameters: [(any PGEncodable)?] = []
    private var notification: String?

    /// True when nothing was added.
    var isEmpty: Bool { parts.isEmpty && notification == nil }

    /// Adds a statement; `sql` receives the placeholders (`$n`) of `values`, in order. When
    /// the part changes another number of rows than `expected`, ``execute(on:)`` throws
    /// `refusal` if one is given (a write guarded by the state it expects found another
    /// state), ``StoreError`` otherwise.
    mutating func add(_ values: [(any PGEncodable)?], expecting expected: Int, _ what: String,
                      refusing refusal: (any Error & Sendable)? = nil, _ sql: ([String]) -> String) {
        let placeholders = values.indices.map { "$\(parameters.count + $0 + 1)" }
        parameters += values
        parts.append((sql(placeholders), expected, what, refusal))
    }

    /// Sends `NOTIFY channel, payload` with the statement (delivered at COMMIT).
    mutating func notify(_ channel: String, payload: String) {
        parameters += [channel, payload]
        notification = "pg_notify($\(parameters.count - 1), $\(parameters.count))"
    }

    /// Runs the statement; throws ``StoreError`` when a part changed another number of rows
    /// than expected (the caller's transaction then rolls back).
    func execute(on connection: PGConnection) throws {
        guard !isEmpty else { return }
        let ctes = parts.enumerated().map { "w\($0.offset) AS (\($0.element.sql))" }
        let counts = parts.indices.map { "(SELECT count(*) FROM w\($0)) AS w\($0)" } + (notification.map { [$0] } ?? [])
        let sql = (ctes.isEmpty ? "" : "WITH " + ctes.joined(separator: ",\n") + "\n") + "SELECT " + counts.joined(separator: ", ")
        guard let row = try connection.query(sql, parameters).first else { throw StoreError("a combined write returned no row") }
        for (index, part) in parts.enumerated() {
            let written = Int(try row.decode(Int64.self, "w\(index)"))
            guard written == part.expected else {
                if let refusal = part.refusal { throw refusal }
                throw StoreError("expected to write \(part.expected) \(part.what) but wrote \(written); the batch was rolled back")
            }
        }
    }
}
