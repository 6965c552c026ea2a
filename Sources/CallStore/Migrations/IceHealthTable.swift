extension MigrationCatalog {
    /// The last verdict of each ICE server, as `probe ice --record` found it: `ice-servers`
    /// leaves out servers known to be down and warns the browser when relaying is down or the
    /// verdict is stale; `diagnose db` reports a failing or stale probe.
    static let iceHealth = Migration(
        version: 11, name: "ice_server_health",
        up: """
        CREATE TABLE ice_server_health (
            uri text PRIMARY KEY,
            status text NOT NULL CHECK (status IN ('ok','warning','critical','unknown')),
            detail text,
            checked_at timestamptz NOT NULL,
            failing_since timestamptz
        );
        """,
        down: "DROP TABLE ice_server_health;")
}
