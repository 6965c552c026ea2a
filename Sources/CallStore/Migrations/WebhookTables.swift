extension MigrationCatalog {
    /// Pusher webhooks to the app (docs/design.md, "Webhooks"): `webhook_events` holds each
    /// event still to be POSTed, one row per receiving URL, written in the transaction that
    /// decided it (a channel's first or last subscriber, a presence member's first or last
    /// connection, an accepted client event) and deleted once the URL answered 2xx.
    /// `webhook_targets` keeps each URL's backoff, last error and the events dropped because
    /// its backlog was full; rows there are never locked while a request is in flight, so a
    /// drop is counted without waiting for a slow receiver.
    static let webhookTables = Migration(
        version: 16, name: "webhooks",
        up: """
        CREATE TABLE webhook_targets (
            url text PRIMARY KEY,
            attempts integer NOT NULL DEFAULT 0,
            next_attempt_at timestamptz NOT NULL DEFAULT now(),
            failing_since timestamptz,
            last_error text,
            dropped bigint NOT NULL DEFAULT 0,
            last_dropped_at timestamptz
        );
        CREATE TABLE webhook_events (
            id bigserial PRIMARY KEY,
            url text NOT NULL,
            app_id text NOT NULL,
            kind text NOT NULL CHECK (kind IN ('channel_occupied', 'channel_vacated', 'member_added', 'member_removed', 'client_event')),
            channel text NOT NULL,
            user_id text,
            event text,
            data text,
            socket_id text,
            created_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX webhook_events_queue_idx ON webhook_events (url, app_id, id);
        """,
        down: """
        DROP TABLE webhook_events;
        DROP TABLE webhook_targets;
        """)
}
