import Foundation
import Postgres

/// A migration recorded in `schema_migrations`.
public struct AppliedMigration: Sendable, Equatable {
    /// Its version.
    public let version: Int64
    /// Its name when applied.
    public let name: String
    /// The SHA-256 of its SQL when applied.
    public let checksum: String
    /// When it was applied.
    public let appliedAt: Date
    /// How long it took.
    public let executionMilliseconds: Int

    /// Creates a record (as read from `schema_migrations`).
    public init(version: Int64, name: String, checksum: String, appliedAt: Date, executionMilliseconds: Int) {
        self.version = version
        self.name = name
        self.checksum = checksum
        self.appliedAt = appliedAt
        self.executionMilliseconds = executionMilliseconds
    }
}

/// An applied migration whose SQL in this binary differs from what was applied.
public struct ChangedMigration: Sendable, Equatable {
    /// What the database recorded.
    public let applied: AppliedMigration
    /// What this binary holds.
    public let current: Migration
}

/// The database's migration state compared with this binary's catalog.
public struct MigrationStatus: Sendable, Equatable {
    /// Applied migrations, oldest first.
    public let applied: [AppliedMigration]
    /// Migrations of this binary not yet applied, in order.
    public let pending: [Migration]
    /// Applied migrations whose SQL has changed since.
    public let changed: [ChangedMigration]
    /// Applied versions this binary does not know (a newer binary applied them).
    public let unknown: [AppliedMigration]

    /// Compares recorded rows with a catalog.
    public init(applied: [AppliedMigration], catalog: [Migration]) {
        let appliedVersions = Set(applied.map(\.version))
        let byVersion = Dictionary(uniqueKeysWithValues: catalog.map { ($0.version, $0) })
        self.applied = applied
        pending = catalog.filter { !appliedVersions.contains($0.version) }
        changed = applied.compactMap { row in
            guard let migration = byVersion[row.version], migration.checksum != row.checksum else { return nil }
            return ChangedMigration(applied: row, current: migration)
        }
        unknown = applied.filter { byVersion[$0.version] == nil }
    }

    /// The highest applied version, 0 when none.
    public var currentVersion: Int64 { applied.map(\.version).max() ?? 0 }
}

/// Why migrating was refused.
public enum MigrationError: Error, CustomStringConvertible, Sendable {
    /// Applied migrations were edited afterwards.
    case changed([ChangedMigration])
    /// `down` would have to revert a version this binary has no SQL for.
    case unknownVersion(AppliedMigration)
    /// `down --to` names a version above the current one or below zero.
    case invalidTarget(Int64, current: Int64)

    public var description: String {
        switch self {
        case .changed(let list):
            let names = list.map { item in
                "\(item.current.label) (applied \(PGTimestamp.formatSeconds(item.applied.appliedAt)) with checksum \(item.applied.checksum.prefix(12))…, this binary has \(item.current.checksum.prefix(12))…)"
            }
            return "migration \(names.joined(separator: ", ")) was changed after it was applied; nothing was migrated. "
                + "Restore the migration's original SQL and add the change as a new migration: an applied migration is never edited."
        case .unknownVersion(let row):
            return "the database has migration \(row.version) (\(row.name)) that this callctl does not know; "
                + "run `migrate down` with the newer callctl that applied it"
        case .invalidTarget(let target, let current):
            return "cannot migrate down to version \(target): the database is at version \(current); choose a version between 0 and \(current)"
        }
    }
}
