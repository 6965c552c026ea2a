/// The SQL of `jobs purge-recordings`. `$1` is ``CallDomain/RetentionRule/latestCutoff(now:)``,
/// the bound on `recordings_due_idx` (which holds only the recordings not yet purged) in the
/// keyset order `(received_at, id)`; `$5` is now and `$6`-`$8` ``RetentionSQL``'s parameters,
/// so each recording is judged against its tenant's retention.
enum PurgeQueries {
    /// Before the first row.
    static let start = ScanKey<String>(at: "-infinity", id: "")

    private static let due = """
        SELECT id, appointment_id, call_id, storage_key, received_at, purge_attempts,
               (SELECT a.tenant_id FROM appointments a WHERE a.id = r.appointment_id) AS tenant_id
        FROM recordings r
        WHERE purged_at IS NULL AND received_at < $1 AND (received_at, id) > ($2::timestamptz, $3::text)
          AND received_at < $5::timestamptz - make_interval(secs => \(RetentionSQL.seconds(tenants: "$6", seconds: "$7", global: "$8")))
        ORDER BY received_at, id
        LIMIT $4
        """

    /// Claims the next batch of due recordings; rows another runner (or a download) holds are skipped.
    static let claim = due + "\nFOR UPDATE SKIP LOCKED"

    /// Reads the next page of due recordings (dry run).
    static let peek = due

    /// Locks the appointments of the deleted recordings, in id order (the order every writer
    /// uses), before ``stillRecorded`` reads them in a statement of its own: its snapshot then
    /// sees a recording a webhook added while this job waited for the lock.
    static let lockAppointments = "SELECT id FROM appointments WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE"

    /// Of the appointments `$1`, those with an available recording besides the ones deleted (`$2`).
    static let stillRecorded = """
        SELECT DISTINCT appointment_id FROM recordings
        WHERE appointment_id = ANY($1::bigint[]) AND purged_at IS NULL AND id <> ALL($2::text[])
        """
}
