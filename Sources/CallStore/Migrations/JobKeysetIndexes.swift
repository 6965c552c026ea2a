extension MigrationCatalog {
    /// Indexes in the jobs' keyset order. `jobs no-show` pages through due appointments by
    /// `(scheduled_at, id)` and `jobs reap` through open sessions by `(requested_at, id)`, but
    /// the indexes had the timestamp alone: clinics book on slot boundaries, so thousands of
    /// appointments share one `scheduled_at`, and every batch re-read and re-sorted the whole
    /// slot. With the id in the index the row comparison is an index condition, each batch
    /// starts where the last ended, and no sort is needed. The partial due index it replaces
    /// had the same predicate and only `scheduled_at`.
    static let jobKeysetIndexes = Migration(
        version: 12, name: "job_keyset_indexes",
        up: """
        CREATE INDEX IF NOT EXISTS appointments_due_keyset_idx ON appointments (scheduled_at, id)
            WHERE status = 'scheduled' AND started_at IS NULL;
        DROP INDEX IF EXISTS appointments_due_idx;
        CREATE INDEX IF NOT EXISTS call_sessions_open_keyset_idx ON call_sessions (requested_at, id)
            WHERE state <> 'ended';
        """,
        down: """
        DROP INDEX IF EXISTS call_sessions_open_keyset_idx;
        CREATE INDEX IF NOT EXISTS appointments_due_idx ON appointments (scheduled_at)
            WHERE status = 'scheduled' AND started_at IS NULL;
        DROP INDEX IF EXISTS appointments_due_keyset_idx;
        """)
}
