extension MigrationCatalog {
    /// What the WebSocket hub and the outbox relay share between daemons.
    ///
    /// `hub_daemons` lists running daemons with a heartbeat; `hub_subscriptions` holds every
    /// live subscription (with the member for presence channels), so channel queries and
    /// presence lists are the same on every daemon; `hub_messages` carries a fanned-out
    /// message too large for a `NOTIFY` payload. All three are UNLOGGED: they describe live
    /// connections, which a PostgreSQL crash ends anyway. The outbox gains `relayed_at` (the
    /// hub delivered the row to its subscribers) and `next_attempt_at` (backoff for an
    /// external Pusher server); `published_at` stays "delivered everywhere it goes".
    static let hubTables = Migration(
        version: 8, name: "hub",
        up: """
        CREATE UNLOGGED TABLE hub_daemons (
            id uuid PRIMARY KEY,
            started_at timestamptz NOT NULL DEFAULT now(),
            seen_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE UNLOGGED TABLE hub_subscriptions (
            daemon_id uuid NOT NULL,
            socket_id text NOT NULL,
            app_id text NOT NULL,
            channel text NOT NULL,
            user_id text,
            user_info jsonb,
            subscribed_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (daemon_id, socket_id, channel)
        );
        CREATE INDEX hub_subscriptions_channel_idx ON hub_subscriptions (app_id, channel);
        CREATE UNLOGGED TABLE hub_messages (
            id bigserial PRIMARY KEY,
            body text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now()
        );
        ALTER TABLE outbox ADD COLUMN relayed_at timestamptz, ADD COLUMN next_attempt_at timestamptz;
        CREATE INDEX outbox_unrelayed_idx ON outbox (id) WHERE relayed_at IS NULL;
        """,
        down: """
        DROP INDEX outbox_unrelayed_idx;
        ALTER TABLE outbox DROP COLUMN relayed_at, DROP COLUMN next_attempt_at;
        DROP TABLE hub_messages;
        DROP TABLE hub_subscriptions;
        DROP TABLE hub_daemons;
        """)
}
