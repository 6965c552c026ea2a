import CallDomain
import Postgres

/// Writes the audit rows and outbox rows of domain changes inside the caller's transaction:
/// one multi-row INSERT each, and `NOTIFY callctl_outbox` so a relay wakes up, all added to
/// the caller's ``CombinedWrite``. The change itself, its audit row and its event commit or
/// roll back together.
///
/// A transaction that sends NOTIFY holds PostgreSQL's global notify lock from pre-commit until
/// its commit record is flushed, so notifying transactions commit one at a time, each waiting
/// for its own WAL flush. Batch jobs notify inside the transaction (one per batch). The
/// lifecycle API commits hundreds of small transactions a second: it notifies *after* commit
/// with ``notifyCommitted(_:on:)``, in a statement of its own that does not wait for a flush.
public enum ChangeRecorder {
    /// The channel a relay `LISTEN`s on; the payload is the number of new outbox rows.
    public static let notifyChannel = "callctl_outbox"

    /// Adds the INSERTs (and the NOTIFY, when there are events) of `rows` to a combined write.
    static func add(_ rows: RecordedRows, into statement: inout CombinedWrite, notify: Bool = true) {
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
        if notify { statement.notify(notifyChannel, payload: String(rows.outboxRows)) }
    }

    /// Sends `NOTIFY callctl_outbox` for `outboxRows` rows already committed, as its own
    /// transaction with `synchronous_commit` off (losing it in a crash costs a relay one poll
    /// interval, never an event). Failures are ignored for the same reason: the change is
    /// committed and must be reported as done.
    static func notifyCommitted(_ outboxRows: Int, on connection: PGConnection) {
        guard outboxRows > 0 else { return }
        _ = try? connection.query("SELECT set_config('synchronous_commit', 'off', true), pg_notify($1, $2)",
                                  notifyChannel, String(outboxRows))
    }
}
