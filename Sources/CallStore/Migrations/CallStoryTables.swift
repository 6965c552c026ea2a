extension MigrationCatalog {
    /// What one call's story (`callctl call show`) and the jobs' liveness need.
    ///
    /// - `job_runs`: every run of a cron job, written at its start and completed at its end
    ///   (outcome, counts), even when it changed nothing, so "the cron stopped" and "the cron
    ///   had nothing to do" look different.
    /// - `appointment_channel_log`: who was on an appointment's channel when: the channel
    ///   authorizations callctl signed (socket and user) and the hub's subscriptions and
    ///   departures (socket). Bounded: the hub prunes rows older than a day.
    /// - Call sessions may end as `operator` (`callctl call end`).
    /// - `outbox_channel_idx`: an appointment's events without a scan of the outbox.
    static let callStory = Migration(
        version: 10, name: "call_story",
        up: """
        CREATE TABLE job_runs (
            id bigserial PRIMARY KEY,
            job text NOT NULL,
            started_at timestamptz NOT NULL DEFAULT now(),
            finished_at timestamptz,
            outcome text NOT NULL DEFAULT 'running' CHECK (outcome IN ('running','succeeded','failed')),
            dry_run boolean NOT NULL DEFAULT false,
            claimed int NOT NULL DEFAULT 0,
            changed int NOT NULL DEFAULT 0,
            error text
        );
        CREATE INDEX job_runs_job_idx ON job_runs (job, started_at DESC);
        CREATE TABLE appointment_channel_log (
            id bigserial PRIMARY KEY,
            appointment_id bigint NOT NULL,
            socket_id text NOT NULL,
            user_id bigint,
            kind text NOT NULL CHECK (kind IN ('authorized','subscribed','left')),
            at timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX appointment_channel_log_appointment_idx ON appointment_channel_log (appointment_id, at);
        CREATE INDEX appointment_channel_log_at_idx ON appointment_channel_log (at);
        CREATE INDEX outbox_channel_idx ON outbox (channel, id);
        ALTER TABLE call_sessions DROP CONSTRAINT IF EXISTS call_sessions_end_reason_check,
            ADD CONSTRAINT call_sessions_end_reason_check CHECK (end_reason IN ('hangup','declined','cancelled',
                'timeout_no_answer','connect_timeout','heartbeat_lost','max_duration','window_closed','operator','error'));
        """,
        down: """
        ALTER TABLE call_sessions DROP CONSTRAINT IF EXISTS call_sessions_end_reason_check,
            ADD CONSTRAINT call_sessions_end_reason_check CHECK (end_reason IN ('hangup','declined','cancelled',
                'timeout_no_answer','connect_timeout','heartbeat_lost','max_duration','window_closed','error'));
        DROP INDEX outbox_channel_idx;
        DROP TABLE appointment_channel_log;
        DROP TABLE job_runs;
        """)
}
