extension MigrationCatalog {
    /// Whether outbox rows owe a delivery to an external Pusher/Reverb server is a fact of the
    /// database, not of the daemon that happens to relay them.
    ///
    /// `outbox_external` holds the declared external target (one row at most: the public part
    /// of `CALLCTL_PUSHER_URL`, never its secret). A daemon started with that variable declares
    /// it; from then on no daemon marks a relayed row published until the external server has
    /// accepted it, whatever its own configuration. `callctl outbox external --forget` removes
    /// the declaration when the external server is retired. `hub_daemons.external_target` is
    /// what each live daemon publishes to, so daemons that disagree are reported.
    static let outboxDestinations = Migration(
        version: 9, name: "outbox_destinations",
        up: """
        CREATE TABLE outbox_external (
            singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
            target text NOT NULL,
            declared_at timestamptz NOT NULL DEFAULT now()
        );
        ALTER TABLE hub_daemons ADD COLUMN external_target text;
        """,
        down: """
        ALTER TABLE hub_daemons DROP COLUMN external_target;
        DROP TABLE outbox_external;
        """)
}
