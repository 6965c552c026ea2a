extension MigrationCatalog {
    /// The PeerJS broker's tables (docs/design.md, "PeerJS broker").
    ///
    /// `broker_peers`: the peer ids callctl issued, one row per id, bound to one participant of
    /// one call. A reload issues a new id and marks the older one superseded; the broker accepts
    /// only a current id of an open call. Rows of ended calls are pruned by the daemon after a day.
    ///
    /// `broker_messages`: signaling for a peer that is not connected to the daemon that received
    /// it, until the daemon the peer is (or becomes) connected to claims it, or it expires after
    /// the expire timeout (seconds). Unlogged: nothing in it outlives a few seconds, so it is not
    /// worth WAL; a crash empties it, and the senders get EXPIRE from the broker they talk to.
    static let brokerTables = Migration(
        version: 13, name: "broker_tables",
        up: """
        CREATE TABLE broker_peers (
            peer_id text PRIMARY KEY,
            call_id uuid NOT NULL REFERENCES call_sessions (id) ON DELETE CASCADE,
            appointment_id bigint NOT NULL,
            user_id bigint NOT NULL,
            issued_at timestamptz NOT NULL,
            expires_at timestamptz NOT NULL,
            superseded_at timestamptz
        );
        CREATE INDEX broker_peers_call_idx ON broker_peers (call_id, user_id);
        CREATE UNLOGGED TABLE broker_messages (
            id bigserial PRIMARY KEY,
            dst text NOT NULL,
            src text NOT NULL,
            type text NOT NULL,
            body text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT clock_timestamp()
        );
        CREATE INDEX broker_messages_dst_idx ON broker_messages (dst, id);
        CREATE INDEX broker_messages_created_idx ON broker_messages (created_at);
        """,
        down: "DROP TABLE broker_messages; DROP TABLE broker_peers;")
}
