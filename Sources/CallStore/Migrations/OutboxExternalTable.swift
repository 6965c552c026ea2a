extension MigrationCatalog {
    /// Whether outbox rows owe a delivery to an external Pusher/Reverb server is a fact of the
    /// database, not of the daemon that happens to relay them.
    ///
    /// `outbox_external` holds the declared external target (one row at most: the public part
    /// of `CALLCTL_PUSHER_URL`, never its secret). A daemon started with that variable declares
    /// it; from then on no daemon marks a relayed row published until the external server has
    /// accepted it, whatever its own configuration. `callctl outbox external --forget` removes
    /// the declaration when the external server is retired. `hub_daemons.external_target` is
    /// what each live daemon publishes to, so daemons that disagree are reported. Call sessions
    /// may also end as `max_duration` (`timeouts.max_call`).
    static let outboxDestinations = Migration(
        version: 9, name: "trust_hardening",
        up: """
        CREATE TABLE outbox_external (
            singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
            target text NOT NULL,
            declared_at timestamptz NOT NULL DEFAULT now()
        );
        ALTER TABLE hub_daemons ADD COLUMN external_target text;
        ALTER TABLE call_sessions DROP CONSTRAINT IF EXISTS call_sessions_end_reason_check,
            ADD CONSTRAINT call_sessions_end_reason_check CHECK (end_reason IN ('hangup','declined','cancelled',
                'timeout_no_answer','connect_timeout','heartbeat_lost','max_duration','window_closed','error'));
        """,
        down: """
        ALTER TABLE call_sessions DROP CONSTRAINT IF EXISTS call_sessions_end_reason_check,
            ADD CONSTRAINT call_sessions_end_reason_check CHECK (end_reason IN ('hangup','declined','cancelled',
                'timeout_no_answer','connect_timeout','heartbeat_lost','window_closed','error'));
        ALTER TABLE hub_daemons DROP COLUMN external_target;
        DROP TABLE outbox_external;
        """)
}
