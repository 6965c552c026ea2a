extension MigrationCatalog {
    /// Recording consent and state (docs/design.md, "Recordings"): each participant's consent
    /// to record one call (the latest answer counts), and since when the call is recorded
    /// (null while it is not).
    static let recordingTables = Migration(
        version: 14, name: "recording_consent",
        up: """
        CREATE TABLE recording_consents (
            call_id uuid NOT NULL REFERENCES call_sessions (id) ON DELETE CASCADE,
            user_id bigint NOT NULL,
            granted boolean NOT NULL,
            at timestamptz NOT NULL,
            PRIMARY KEY (call_id, user_id)
        );
        ALTER TABLE call_sessions ADD COLUMN IF NOT EXISTS recording_since timestamptz;
        """,
        down: "ALTER TABLE call_sessions DROP COLUMN IF EXISTS recording_since; DROP TABLE recording_consents;")
}
