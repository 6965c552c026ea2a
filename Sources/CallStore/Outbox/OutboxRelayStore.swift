import Postgres

/// The daemon's side of the outbox: rows its WebSocket hub has not delivered yet.
///
/// `relayed_at` means "the hub delivered the row to its subscribers on every daemon";
/// `published_at` means "delivered everywhere it goes". Without an external Pusher server the
/// hub is the only destination, so relaying a row publishes it too; with one, `published_at`
/// waits for that server (``OutboxPublishStore``). Whether there is one is the database's
/// word (``OutboxDestinationStore``), not the relaying daemon's: while a target is declared,
/// a daemon without `CALLCTL_PUSHER_URL` relays rows without publishing them. A row
/// `outbox flush` already published keeps its `published_at`.
public enum OutboxRelayStore {
    static let claim = """
        SELECT \(OutboxRow.columns) FROM outbox
        WHERE relayed_at IS NULL
        ORDER BY id
        LIMIT $1
        FOR UPDATE SKIP LOCKED
        """

    static let markRelayed = """
        UPDATE outbox
        SET relayed_at = now(),
            published_at = CASE WHEN $2 OR EXISTS (SELECT 1 FROM outbox_external) THEN published_at
                                ELSE coalesce(published_at, now()) END
        WHERE id = ANY($1::bigint[])
        """

    /// Claims up to `limit` unrelayed rows in id order (rows another daemon holds are skipped),
    /// hands them to `deliver` inside the claim's transaction, marks them relayed (and
    /// published, unless `externalConfigured` or an external target is declared), and commits.
    ///
    /// `deliver` runs on `connection` before COMMIT: whatever it sends with `NOTIFY` reaches the
    /// other daemons exactly when the mark commits. When it throws, or the commit fails,
    /// nothing is marked and the rows are claimed again later. Returns the rows relayed, empty
    /// when there were none (`deliver` is then not called).
    public static func relayBatch(limit: Int, externalConfigured: Bool, on connection: PGConnection,
                                  deliver: ([OutboxRow]) throws -> Void) throws -> [OutboxRow] {
        try connection.transaction { connection in
            let rows = try connection.query(claim, limit).rows.map(OutboxRow.init(row:))
            guard !rows.isEmpty else { return [] }
            try deliver(rows)
            try connection.query(markRelayed, PGInt64Array(ids: rows.map(\.id)), externalConfigured)
            return rows
        }
    }
}
