import CallDomain
import Postgres

/// Writes the audit rows and outbox rows of domain changes inside the caller's transaction:
/// one multi-row INSERT each, and `NOTIFY callctl_outbox` (delivered at COMMIT) so a relay
/// wakes up, all added to the caller's ``CombinedWrite``. The change itself, its audit row and
/// its event commit or roll back together.
public enum ChangeRecorder {
    /// The channel a relay `LISTEN`s on; the payload is the number of new outbox rows.
    public static let notifyChannel = "callctl_outbox"

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
