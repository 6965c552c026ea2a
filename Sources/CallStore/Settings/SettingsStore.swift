import CallDomain
import Foundation
import Postgres

/// The `settings` table: rows are read at each use, so a change applies to the next job run
/// or request without a deploy. Values are validated by ``SettingKey`` before they are stored;
/// a bad row written by hand is ignored (the default stays) and reported.
///
/// Every public call reads the table once.
public struct SettingsStore {
    private let connection: PGConnection

    /// Creates a store on a connection.
    public init(connection: PGConnection) {
        self.connection = connection
    }

    /// The tenants' own values (`tenant_settings`), on the same connection.
    public var tenants: TenantSettingsStore { TenantSettingsStore(connection: connection) }

    /// Reads every row and resolves the settings in force, with the rows that were ignored.
    public func resolve() throws -> SettingsResolution {
        Self.resolve(try readRows())
    }

    /// The settings in force from the rows as `[[key, value-as-JSON-text], …]` (what
    /// `json_agg(json_build_array(key, value::text))` returns), so a query that already reads
    /// other things can read the settings in the same round trip. Unreadable text resolves to
    /// the defaults.
    static func resolve(pairsJSON: String) -> SettingsResolution {
        let pairs = (try? JSONDecoder().decode([[String]].self, from: Data(pairsJSON.utf8))) ?? []
        return resolve(pairs.filter { $0.count == 2 }.map { Row(key: $0[0], json: $0[1], updatedAt: nil) })
    }

    /// Every known setting, in ``SettingKey`` order, with every ignored row (unknown keys included).
    public func entries() throws -> SettingsListing {
        let rows = try readRows()
        let resolution = Self.resolve(rows)
        return SettingsListing(entries: SettingKey.allCases.map { entry($0, rows: rows, resolution: resolution) },
                               problems: resolution.problems)
    }

    /// One setting.
    public func entry(_ key: SettingKey) throws -> SettingEntry {
        let rows = try readRows()
        return entry(key, rows: rows, resolution: Self.resolve(rows))
    }

    /// Validates `value` with ``SettingKey/validate(_:)`` and stores it; returns the new entry.
    /// - Throws: `DomainError` (`validation`) for a value the key refuses; nothing is written.
    @discardableResult
    public func set(_ key: SettingKey, to value: SettingValue) throws -> SettingEntry {
        let valid = try key.validate(value)
        try connection.query("""
            INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, now())
            ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at
            """, key.rawValue, try PGJSON(encoding: valid))
        return try entry(key)
    }

    /// Removes the stored row of `key`, valid or not, so the default applies; returns whether there was one.
    public func unset(_ key: SettingKey) throws -> Bool {
        try connection.query("DELETE FROM settings WHERE key = $1", key.rawValue).affectedRows > 0
    }

    private struct Row {
        let key: String
        let json: String
        let updatedAt: Date?
    }

    private func readRows() throws -> [Row] {
        try connection.query("SELECT key, value::text AS value, updated_at FROM settings ORDER BY key").rows.map { row in
            Row(key: try row.decode(String.self, "key"), json: try row.decode(String.self, "value"),
                updatedAt: try row.decode(Date.self, "updated_at"))
        }
    }

    /// The settings in force from `rows`, with the rows that were ignored, sorted by key.
    private static func resolve(_ rows: [Row]) -> SettingsResolution {
        var values: [String: SettingValue] = [:]
        var unreadable: [SettingProblem] = []
        for row in rows {
            if let value = Self.decode(row.json) {
                values[row.key] = value
            } else {
                unreadable.append(SettingProblem(key: row.key, message: Self.unreadableMessage(row)))
            }
        }
        let resolution = CallSettings.resolving(values)
        let problems = (resolution.problems + unreadable).sorted { $0.key < $1.key }
        return SettingsResolution(settings: resolution.settings, problems: problems)
    }

    /// `key` as `rows` store it and `resolution` resolves it.
    private func entry(_ key: SettingKey, rows: [Row], resolution: SettingsResolution) -> SettingEntry {
        let row = rows.first { $0.key == key.rawValue }
        let problem = resolution.problems.first { $0.key == key.rawValue }
        return SettingEntry(key: key, storedJSON: row?.json, updatedAt: row?.updatedAt,
                            effective: resolution.settings[key], problem: problem?.message)
    }

    private static func decode(_ json: String) -> SettingValue? {
        try? JSONDecoder().decode(SettingValue.self, from: Data(json.utf8))
    }

    private static func unreadableMessage(_ row: Row) -> String {
        let fallback = SettingKey(rawValue: row.key).map { " Using the default, \($0.format($0.defaultValue))." } ?? ""
        return "\(row.key) holds \(row.json.prefix(60)), which is not a JSON number, string or boolean; it is ignored.\(fallback)"
    }
}
