import ArgumentParser
import CallDomain
import CallStore
import Foundation

/// A tenant's own value in `config --format json`.
struct TenantSettingJSON: Encodable {
    let key: String
    let tenantId: Int64
    /// Null when the stored row is ignored (see `problem`).
    @NullWhenAbsent var value: SettingValue?
    @NullWhenAbsent var display: String?
    let updatedAt: Date
    @NullWhenAbsent var problem: String?

    init(_ setting: TenantSetting) {
        key = setting.key.rawValue
        tenantId = setting.tenantId
        value = setting.value
        display = setting.value.map(setting.key.format)
        updatedAt = setting.updatedAt
        problem = setting.problem
    }

    enum CodingKeys: String, CodingKey {
        case key, value, display, problem
        case tenantId = "tenant_id", updatedAt = "updated_at"
    }
}

/// `config set --tenant --format json`: the tenant's value now, before (null: it had none), and
/// the clinic-wide value it overrides.
struct TenantSettingChangeJSON: Encodable {
    let key: String
    let tenantId: Int64
    @NullWhenAbsent var value: SettingValue?
    @NullWhenAbsent var previous: SettingValue?
    let clinicWide: SettingValue

    enum CodingKeys: String, CodingKey {
        case key, value, previous
        case tenantId = "tenant_id", clinicWide = "clinic_wide"
    }
}

/// `config get --tenant --format json`: the value in force for the tenant and where it comes from.
struct TenantSettingValueJSON: Encodable {
    let key: String
    let tenantId: Int64
    let value: SettingValue
    /// Whether the tenant has its own value (else `value` is the clinic-wide one).
    let own: Bool
    let clinicWide: SettingValue

    enum CodingKeys: String, CodingKey {
        case key, value, own
        case tenantId = "tenant_id", clinicWide = "clinic_wide"
    }
}

extension ConfigCommand {
    /// Refuses `--tenant` for a setting that is one value for every tenant, and ids below 1.
    static func validate(tenant: Int64?, for key: SettingKey) throws {
        guard let tenant else { return }
        guard tenant > 0 else { throw ValidationError("--tenant takes a tenant id (a positive integer); got \(tenant)") }
        guard key.isPerTenant else { throw ValidationError(TenantSettingsStore.notPerTenant(key).message) }
    }

    /// `config set KEY VALUE --tenant ID`: the tenant must exist; the clinic-wide row is untouched.
    static func setForTenant(_ key: SettingKey, tenant: Int64, to value: SettingValue, format: OutputFormat, in context: CommandContext,
                             database: DatabaseOptions, logging: LoggingOptions) async throws {
        try await runSettings(in: context, database: database, logging: logging) { store, output in
            let tenants = store.tenants
            guard try tenants.tenantExists(tenant) else { throw unknownTenant(tenant) }
            let previous = try tenants.set(key, tenant: tenant, to: value)
            let clinicWide = try store.entry(key).effective
            switch format {
            case .json:
                try output.json(TenantSettingChangeJSON(key: key.rawValue, tenantId: tenant, value: value, previous: previous,
                                                        clinicWide: clinicWide))
            case .text:
                let was = previous.map { "its own \(key.format($0))" } ?? "the clinic-wide \(key.format(clinicWide))"
                output.line("\(key.rawValue) for tenant \(tenant) = \(key.format(value)) (was \(was); clinic-wide \(key.format(clinicWide)))")
            }
        }
    }

    /// `config get KEY --tenant ID`: the tenant's own value, or the clinic-wide one it falls back to.
    static func getForTenant(_ key: SettingKey, tenant: Int64, format: OutputFormat, in context: CommandContext,
                             database: DatabaseOptions, logging: LoggingOptions) async throws {
        try await runSettings(in: context, database: database, logging: logging) { store, output in
            guard try store.tenants.tenantExists(tenant) else { throw unknownTenant(tenant) }
            let own = try store.tenants.values(key)[tenant]
            let clinicWide = try store.entry(key).effective
            switch format {
            case .json:
                try output.json(TenantSettingValueJSON(key: key.rawValue, tenantId: tenant, value: own ?? clinicWide, own: own != nil,
                                                       clinicWide: clinicWide))
            case .text:
                let source = own == nil ? "the clinic-wide value; the tenant has none of its own" : "its own; clinic-wide \(key.format(clinicWide))"
                output.line("\(key.rawValue) for tenant \(tenant) = \(key.format(own ?? clinicWide)) (\(source))")
            }
        }
    }

    /// The refusal of an id `tenants` does not have.
    static func unknownTenant(_ tenant: Int64) -> Failure {
        Failure(message: "no tenant \(tenant) in the tenants table; check the id (the app's tenants.id)", exitCode: Failure.failed)
    }
}
