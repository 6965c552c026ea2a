import Foundation
import Postgres

/// Applies, reverts and reports migrations on one connection.
///
/// Each migration runs in its own transaction together with its `schema_migrations` row, under
/// a transaction-scoped advisory lock: concurrent runs (two deploys at once) serialize, every
/// migration is applied exactly once, and a failure leaves no half-applied ("dirty") state.
public struct Migrator {
    /// The advisory lock key that serializes migration runs ("callctl" + 1 in ASCII).
    public static let lockKey: Int64 = 0x6361_6C6C_6374_6C01

    private let connection: PGConnection
    private let catalog: [Migration]

    /// Creates a migrator for a connection and a catalog (the embedded one by default).
    public init(connection: PGConnection, catalog: [Migration] = MigrationCatalog.all) {
        self.connection = connection
        self.catalog = catalog
    }

    /// Reads the current state without taking the lock or creating anything.
    public func status() throws -> MigrationStatus {
        let exists = try connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS present")
            .first?.decode(Bool.self, "present") ?? false
        return MigrationStatus(applied: exists ? try readApplied() : [], catalog: catalog)
    }

    /// Applies every pending migration in order, one transaction each; `progress` hears each one.
    /// - Throws: `MigrationError.changed` before applying anything if an applied migration was edited.
    @discardableResult
    public func up(progress: (AppliedMigration) -> Void = { _ in }) throws -> [AppliedMigration] {
        var done: [AppliedMigration] = []
        while let applied = try connection.transaction({ connection -> AppliedMigration? in
            let status = try lockedStatus()
            guard let next = status.pending.first else { return nil }
            let started = ContinuousClock.now
            try connection.execute(next.up)
            let milliseconds = Int((ContinuousClock.now - started) / .milliseconds(1))
            let row = try connection.query("""
                INSERT INTO schema_migrations (version, name, checksum, applied_at, execution_ms)
                VALUES ($1, $2, $3, clock_timestamp(), $4) RETURNING applied_at
                """, next.version, next.name, next.checksum, Int32(clamping: milliseconds))
            return AppliedMigration(version: next.version, name: next.name, checksum: next.checksum,
                                    appliedAt: try row.first!.decode(Date.self, "applied_at"),
                                    executionMilliseconds: milliseconds)
        }) {
            done.append(applied)
            progress(applied)
        }
        return done
    }

    /// Reverts applied migrations above `target`, newest first, one transaction each.
    @discardableResult
    public func down(to target: Int64, progress: (Migration) -> Void = { _ in }) throws -> [Migration] {
        let current = try status().currentVersion
        guard target >= 0, target <= current else { throw MigrationError.invalidTarget(target, current: current) }
        var reverted: [Migration] = []
        while let migration = try connection.transaction({ connection -> Migration? in
            let status = try lockedStatus()
            guard let newest = status.applied.filter({ $0.version > target }).max(by: { $0.version < $1.version }) else {
                return nil
            }
            guard let migration = catalog.first(where: { $0.version == newest.version }) else {
                throw MigrationError.unknownVersion(newest)
            }
            try connection.execute(migration.down)
            try connection.query("DELETE FROM schema_migrations WHERE version = $1", migration.version)
            return migration
        }) {
            reverted.append(migration)
            progress(migration)
        }
        return reverted
    }

    /// Inside a transaction: waits for the lock, makes sure the bookkeeping table exists, and
    /// refuses to go on when an applied migration was changed.
    private func lockedStatus() throws -> MigrationStatus {
        try connection.advisoryTransactionLock(Self.lockKey)
        try connection.execute("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version bigint PRIMARY KEY,
                name text NOT NULL,
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL,
                execution_ms int NOT NULL
            )
            """)
        let status = MigrationStatus(applied: try readApplied(), catalog: catalog)
        if !status.changed.isEmpty { throw MigrationError.changed(status.changed) }
        return status
    }

    private func readApplied() throws -> [AppliedMigration] {
        try connection.query("SELECT version, name, checksum, applied_at, execution_ms FROM schema_migrations ORDER BY version")
            .rows.map { row in
                AppliedMigration(version: try row.decode(Int64.self, "version"), name: try row.decode(String.self, "name"),
                                 checksum: try row.decode(String.self, "checksum"),
                                 appliedAt: try row.decode(Date.self, "applied_at"),
                                 executionMilliseconds: Int(try row.decode(Int32.self, "execution_ms")))
            }
    }
}
