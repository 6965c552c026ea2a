import CallDomain
import Foundation
import Postgres

/// A tenant's own value of a setting that may differ per tenant, as stored in `tenant_settings`.
public struct TenantSetting: Sendable, Equatable {
    /// `tenants.id`.
    public let tenantId: Int64
    /// The setting.
    public let key: SettingKey
    /// The stored value when valid; nil when the row is ignored (see ``problem``).
    public let value: SettingValue?
    /// When the row was last written.
    public let updatedAt: Date
    /// Why the row is ignored (the clinic-wide value applies to that tenant), nil when valid.
    public let problem: String?
}

/// The `tenant_settings` table: a tenant's own values of the settings whose definition allows
/// one (``CallDomain/SettingKey/isPerTenant``). Read at each use, like `settings`; values are
/// validated before they are stored, and a row written by hand that is invalid, or whose key
/// may not differ per tenant, is ignored and reported by ``all()``.
public struct TenantSettingsStore {
    private let connection: PGConnection

    /// Creates a store on a connection.
    public init(connection: PGConnection) {
        self.connection = connection
    }

    /// Every row, valid or not, by key then tenant; rows of unknown keys are left out.
    public func all() throws -> [TenantSetting] {
        try connection.query("SELECT tenant_id, key, value::text AS value, updated_at FROM tenant_settings ORDER BY key, tenant_id")
            .rows.compactMap { row -> TenantSetting? in
                guard let key = SettingKey(rawValue: try row.decode(String.self, "key")) else { return nil }
                let json = try row.decode(String.self, "value")
                let tenant = try row.decode(Int64.self, "tenant_id")
                var problem: String?
                var value: SettingValue?
                if !key.isPerTenant {
                    problem = "\(key.rawValue) is one value for every tenant; tenant \(tenant)'s row is ignored."
                } else if let decoded = try? JSONDecoder().decode(SettingValue.self, from: Data(json.utf8)) {
                    do throws(DomainError) { value = try key.validate(decoded) } catch { problem = "tenant \(tenant): \(error.message) The row is ignored." }
                } else {
                    problem = "tenant \(tenant)'s \(key.rawValue) holds \(json.prefix(60)), which is not a JSON value; it is ignored."
                }
                return TenantSetting(tenantId: tenant, key: key, value: value, updatedAt: try row.decode(Date.self, "updated_at"),
                                     problem: problem)
            }
    }

    /// The valid values of `key`, by tenant.
    public func values(_ key: SettingKey) throws -> [Int64: SettingValue] {
        var values: [Int64: SettingValue] = [:]
        for setting in try all() where setting.key == key {
            if let value = setting.value { values[setting.tenantId] = value }
        }
        return values
    }

    /// The retention rule in force: `settings`' clinic-wide value and every tenant's own.
    public func retentionRule(_ settings: CallSettings) throws -> RetentionRule {
        var seconds: [Int64: Int] = [:]
        for (tenant, value) in try values(.recordingRetention) {
            if case .number(let number) = value { seconds[tenant] = Int(number) }
        }
        return RetentionRule(settings, byTenant: seconds)
    }

    /// Whether `tenants` has this id.
    public func tenantExists(_ tenant: Int64) throws -> Bool {
        try connection.query("SELECT EXISTS (SELECT 1 FROM tenants WHERE id = $1) AS present", tenant).first?.decode(Bool.self, "present")
            ?? false
    }

    /// Validates `value` and stores it as `tenant`'s own; returns the value it had (nil: none).
    /// - Throws: `DomainError` (`validation`) for a key that may not differ per tenant or a value
    ///   the key refuses; nothing is written.
    @discardableResult
    public func set(_ key: SettingKey, tenant: Int64, to value: SettingValue) throws -> SettingValue? {
        guard key.isPerTenant else { throw Self.notPerTenant(key) }
        let valid = try key.validate(value)
        let previous = try values(key)[tenant]
        try connection.query("""
            INSERT INTO tenant_settings (tenant_id, key, value, updated_at) VALUES ($1, $2, $3, now())
            ON CONFLICT (tenant_id, key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at
            """, tenant, key.rawValue, try PGJSON(encoding: valid))
        return previous
    }

    /// Removes `tenant`'s own value of `key`, valid or not; returns whether there was a row.
    public func unset(_ key: SettingKey, tenant: Int64) throws -> Bool {
        try connection.query("DELETE FROM tenant_settings WHERE tenant_id = $1 AND key = $2", tenant, key.rawValue).affectedRows > 0
    }

    /// The refusal of `--tenant` for a setting that is one value for every tenant.
    public static func notPerTenant(_ key: SettingKey) -> DomainError {
        DomainError(.validation, "\(key.rawValue) is one value for every tenant; only "
            + SettingKey.allCases.filter(\.isPerTenant).map(\.rawValue).joined(separator: ", ") + " may differ per tenant (--tenant).")
    }
}
