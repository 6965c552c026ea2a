import CallDomain
import Postgres

/// Writes the audit rows and outbox rows of domain changes inside the caller's transaction:
/// one multi-row INSERT each, and `NOTIFY callctl_outbox` (delivered at COMMIT) so a relay
/// wakes up. The change itself, its audit row and its event commit or roll back together.
public struct ChangeRecorder {
    /// The channel a relay `LISTEN`s on; the payload is the number of new outbox rows.
    public static let notifyChannel = "callctl_outbox"

    private let connection: PGConnection

    /// Creates a recorder on the connection whose transaction holds the changes.
    public init(connection: PGConnection) {
        self.connection = connection
    }

    /// Records `changes` with event names under `eventNamespace` (`events.namespace` in force).
    /// Returns the number of outbox rows written.
    @discardableResult
    public func record(_ changes: [RecordedChange], eventNamespace: String) throws -> Int {
        try write(RecordedRows(changes, eventNamespace: eventNamespace))
    }

    /// Inserts prepared rows, in one statement. Returns the number of outbox rows written.
    @discardableResult
    public func write(_ rows: RecordedRows) throws -> Int {
        var statement = CombinedWrite()
        Self.add(rows, into: &statement)
        try statement.execute(on: connection)
        return rows.outboxRows
    }

    /// Adds the INSERTs (and the NOTIFY, when there are events) of `rows` to a combined write.
    static func add(_ rows: RecordedRows, into statement: inout CombinedWrite) {
        guard rows.auditRows > 0 else { return }
        statement.add(rows.audit, expecting: rows.auditRows, "audit rows") { p in """
            INSERT INTO appointment_call_events (appointment_id, call_id, type, user_id, at, payload)
            SELECT appointment_id, call_id, type, user_id, at, payload
            FROM ROWS FROM (unnest(\(p[0])::bigint[]), unnest(\(p[1])::uuid[]), unnest(\(p[2])::text[]),
                            unnest(\(p[3])::bigint[]), unnest(\(p[4])::timestamptz[]), jsonb_array_elements(\(p[5])::jsonb))
                AS c(appointment_id, call_id, type, user_id, at, payload)
            RETURNING 1
            """
        }
        guard rows.outboxRows > 0 else { return }
        statement.add(rows.outbox, expecting: rows.outboxRows, "outbox rows") { p in """
            INSERT INTO outbox (channel, event, payload)
            SELECT channel, event, payload
            FROM ROWS FROM (unnest(\(p[0])::text[]), unnest(\(p[1])::text[]), jsonb_array_elements(\(p[2])::jsonb))
                AS e(channel, event, payload)
            RETURNING 1
            """
        }
        statement.notify(notifyChannel, payload: String(rows.outboxRows))
    }
}
