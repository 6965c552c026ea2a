extension MigrationCatalog {
    /// The PeerJS peer ids callctl issued (docs/design.md, "PeerJS broker"): one row per id,
    /// bound to one participant of one call. A reload issues a new id and marks the older one
    /// superseded; the broker accepts only a current id of an open call. Rows of ended calls
    /// are pruned by the daemon after a day.
    static let brokerPeers = Migration(
        version: 13, name: "broker_peers",
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
        """,
        down: "DROP TABLE broker_peers;")
}
