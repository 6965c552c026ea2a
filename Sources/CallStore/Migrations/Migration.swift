import Crypto
import Foundation

/// One versioned schema change embedded in the binary.
public struct Migration: Sendable, Equatable {
    /// The version, increasing by one from 1.
    public let version: Int64
    /// A short snake_case name.
    public let name: String
    /// The SQL that applies it (a fixed script: no values are interpolated).
    public let up: String
    /// The SQL that reverts it.
    public let down: String
    /// SHA-256 of `up`, hex: stored when applied, compared on every later run.
    public let checksum: String

    /// Creates a migration.
    public init(version: Int64, name: String, up: String, down: String) {
        self.version = version
        self.name = name
        self.up = up
        self.down = down
        checksum = SHA256.hash(data: Data(up.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// `0003 call_sessions`, as shown in messages.
    public var label: String { Self.label(version: version, name: name) }

    /// `0003 call_sessions`: the version padded to four digits, a space, the name.
    public static func label(version: Int64, name: String) -> String {
        paddedVersion(version) + " " + name
    }

    /// `0003`: the version padded with zeros to four digits, as labels and tables show it.
    public static func paddedVersion(_ version: Int64) -> String {
        String(format: "%04lld", version)
    }
}

/// Application tables that a Laravel app may already own: created when absent (and marked
/// as callctl's), otherwise only missing columns are added. `down` drops only tables callctl
/// created, with CASCADE so foreign keys that adopted tables gained towards them go too (the
/// adopted tables, their rows and their columns stay).
struct AdoptableTable {
    static let marker = "created by callctl"
    let name: String
    /// Column and constraint definitions for a fresh table.
    let definition: String
    /// Columns added to an existing table when missing; nullable where existing rows have no value.
    let addedColumns: [String]

    var upSQL: String {
        let adds = addedColumns.map { "ALTER TABLE \(name) ADD COLUMN IF NOT EXISTS \($0);" }
        return """
        DO $callctl$
        BEGIN
            IF to_regclass('\(name)') IS NULL THEN
                CREATE TABLE \(name) (\(definition));
                COMMENT ON TABLE \(name) IS '\(Self.marker)';
            END IF;
        END
        $callctl$;
        \(adds.joined(separator: "\n"))
        """
    }

    var downSQL: String {
        """
        DO $callctl$
        BEGIN
            IF obj_description(to_regclass('\(name)'), 'pg_class') = '\(Self.marker)' THEN
                DROP TABLE \(name) CASCADE;
            END IF;
        END
        $callctl$;
        """
    }
}
