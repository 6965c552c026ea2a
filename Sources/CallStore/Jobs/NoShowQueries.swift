/// The SQL of `jobs no-show`. `$1` is ``CallDomain/NoShowRule/cutoff(now:settings:)``; the
/// pre-filter is the one the rule documents, plus `scheduled_at < $1` (implied, since
/// `duration_minutes > 0`) so the range scan of `appointments_due_keyset_idx`, in the keyset
/// order `(scheduled_at, id)`, narrows and orders: a batch starts where the last ended, unsorted.
enum NoShowQueries {
    /// Before the first row.
    static let start = ScanKey<Int64>(at: "-infinity", id: 0)

    private static let due = """
        SELECT \(AppointmentColumns.select)
        FROM appointments a
        \(AppointmentColumns.joins)
        WHERE a.status = 'scheduled' AND a.started_at IS NULL
          AND a.scheduled_at < $1
          AND a.scheduled_at + make_interval(mins => a.duration_minutes) < $1
          AND (a.scheduled_at, a.id) > ($2::timestamptz, $3)
        ORDER BY a.scheduled_at, a.id
        LIMIT $4
        """

    /// Claims the next batch of due appointments; rows another runner holds are skipped.
    static let claim = due + "\nFOR UPDATE OF a SKIP LOCKED"

    /// Reads the next page of due appointments (dry run).
    static let peek = due

    private static let openSessions = """
        SELECT \(SessionColumns.select)
        FROM call_sessions s
        WHERE s.appointment_id = ANY($1::bigint[]) AND s.state <> 'ended'
        ORDER BY s.appointment_id
        """

    /// Locks the open sessions of claimed appointments (waiting: the appointment is ours, and
    /// every writer locks an appointment before its session).
    static let lockOpenSessions = openSessions + "\nFOR UPDATE OF s"

    /// Reads the open sessions of due appointments (dry run).
    static let readOpenSessions = openSessions
}
