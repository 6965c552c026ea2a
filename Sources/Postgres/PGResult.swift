import CLibPQ

/// The rows of a completed statement. Immutable once created, so it may cross threads.
public final class PGResult: @unchecked Sendable {
    private let handle: OpaquePointer
    /// Column names in order.
    public let columns: [String]
    /// Number of rows returned.
    public let rowCount: Int
    /// Rows affected by INSERT/UPDATE/DELETE (0 for other statements).
    public let affectedRows: Int

    init(handle: OpaquePointer) {
        self.handle = handle
        let columnCount = Int(PQnfields(handle))
        columns = (0..<columnCount).map { String(cString: PQfname(handle, Int32($0))) }
        rowCount = Int(PQntuples(handle))
        affectedRows = Int(String(cString: PQcmdTuples(handle))) ?? 0
    }

    deinit { PQclear(handle) }

    /// The rows, in order.
    public var rows: [PGRow] { (0..<rowCount).map { PGRow(result: self, index: $0) } }

    /// The first row, if any.
    public var first: PGRow? { rowCount > 0 ? PGRow(result: self, index: 0) : nil }

    func text(row: Int, column: Int) -> String? {
        if PQgetisnull(handle, Int32(row), Int32(column)) == 1 { return nil }
        return String(cString: PQgetvalue(handle, Int32(row), Int32(column)))
    }

    func columnIndex(_ name: String) throws(PostgresError) -> Int {
        guard let index = columns.firstIndex(of: name) else {
            throw PostgresError(.decoding, "the result has no column \(name) (columns: \(columns.joined(separator: ", ")))")
        }
        return index
    }
}

/// One row of a `PGResult`, decoded column by column into Swift types.
public struct PGRow: Sendable {
    let result: PGResult
    let index: Int

    /// Decodes the column with this name; use an Optional type for nullable columns.
    public func decode<T: PGDecodable>(_ type: T.Type = T.self, _ column: String) throws(PostgresError) -> T {
        let position = try result.columnIndex(column)
        return try T.pgDecode(result.text(row: index, column: position), column: column)
    }

    /// Decodes the column at this position; use an Optional type for nullable columns.
    public func decode<T: PGDecodable>(_ type: T.Type = T.self, at position: Int) throws(PostgresError) -> T {
        guard position >= 0, position < result.columns.count else {
            throw PostgresError(.decoding, "the result has \(result.columns.count) columns, not \(position + 1)")
        }
        return try T.pgDecode(result.text(row: index, column: position), column: result.columns[position])
    }
}
