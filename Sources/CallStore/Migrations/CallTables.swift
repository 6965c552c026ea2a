extension MigrationCatalog {
    /// Call sessions; the partial unique index is the one-active-call lock.
    static let callSessions = Migration(
        version: 3, name: "call_sessions",
        up: """
        CREATE TABLE call_sessions (
            id uuid PRIMARY KEY,
            appointment_id bigint NOT NULL REFERENCES appointments,
            state text NOT NULL CHECK (state IN ('ringing','accepted','in_call','ended')),
            end_reason text CHECK (end_reason IN ('hangup','declined','cancelled','timeout_no_answer',
                'connect_timeout','heartbeat_lost','window_closed','error')),
            caller_user_id bigint NOT NULL,
            callee_user_id bigint NOT NULL,
            caller_peer_id text,
            callee_peer_id text,
            requested_at timestamptz NOT NULL,
            accepted_at timestamptz,
            connected_at timestamptz,
            ended_at timestamptz,
            last_heartbeat_at timestamptz,
            CHECK ((state = 'ended') = (end_reason IS NOT NULL))
        );
        CREATE UNIQUE INDEX call_sessions_one_active_idx ON call_sessions (appointment_id) WHERE state <> 'ended';
        CREATE INDEX call_sessions_open_state_idx ON call_sessions (state, requested_at) WHERE state <> 'ended';
        CREATE INDEX call_sessions_open_caller_idx ON call_sessions (caller_user_id) WHERE state <> 'ended';
        CREATE INDEX call_sessions_open_callee_idx ON call_sessions (callee_user_id) WHERE state <> 'ended';
        CREATE INDEX call_sessions_requested_idx ON call_sessions (requested_at);
        CREATE INDEX call_sessions_appointment_idx ON call_sessions (appointment_id);
        """,
        down: "DROP TABLE call_sessions;")

    /// The audit trail: from it alone one can rebuild who joined, when and for how long.
    static let callEvents = Migration(
        version: 4, name: "appointment_call_events",
        up: """
        CREATE TABLE appointment_call_events (
            id bigserial PRIMARY KEY,
            appointment_id bigint NOT NULL,
            call_id uuid,
            type text NOT NULL,
            user_id bigint,
            at timestamptz NOT NULL DEFAULT now(),
            payload jsonb NOT NULL DEFAULT '{}'
        );
        CREATE INDEX appointment_call_events_appointment_idx ON appointment_call_events (appointment_id, at);
        CREATE INDEX appointment_call_events_type_idx ON appointment_call_events (type, at);
        """,
        down: "DROP TABLE appointment_call_events;")

    /// The transactional outbox; the partial index keeps the backlog scan small.
    static let outbox = Migration(
        version: 5, name: "outbox",
        up: """
        CREATE TABLE outbox (
            id bigserial PRIMARY KEY,
            channel text NOT NULL,
            event text NOT NULL,
            payload jsonb NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            published_at timestamptz,
            attempts int NOT NULL DEFAULT 0,
            last_error text
        );
        CREATE INDEX outbox_pending_idx ON outbox (id) WHERE published_at IS NULL;
        """,
        down: "DROP TABLE outbox;")

    /// Runtime settings changed without a deploy.
    static let settings = Migration(
        version: 6, name: "settings",
        up: """
        CREATE TABLE settings (
            key text PRIMARY KEY,
            value jsonb NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now()
        );
        """,
        down: "DROP TABLE settings;")
}
