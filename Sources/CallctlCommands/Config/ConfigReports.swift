import CallDomain
import CallStore
import Foundation

/// A setting in `config --format json`.
struct SettingJSON: Encodable {
    let key: String
    let value: SettingValue
    let display: String
    let defaultValue: SettingValue
    let overridden: Bool
    @NullWhenAbsent var stored: String?
    @NullWhenAbsent var problem: String?
    @NullWhenAbsent var updatedAt: Date?
    let description: String

    init(_ entry: SettingEntry) {
        key = entry.key.rawValue
        value = entry.effective
        display = entry.key.format(entry.effective)
        defaultValue = entry.defaultValue
        overridden = entry.isOverridden
        stored = entry.storedJSON
        problem = entry.problem
        updatedAt = entry.updatedAt
        description = entry.key.summary
    }

    enum CodingKeys: String, CodingKey {
        case key, value, display, overridden, stored, problem, description
        case defaultValue = "default", updatedAt = "updated_at"
    }
}

/// `config set --format json`: the setting after the change and the value in force before.
struct SettingChangeJSON: Encodable {
    let setting: SettingJSON
    let previous: SettingValue
}

/// A stored row that is ignored.
struct ProblemJSON: Encodable {
    let key: String
    let message: String
}

/// `config list --format json`.
struct SettingListJSON: Encodable {
    let settings: [SettingJSON]
    let problems: [ProblemJSON]
    /// Tenants' own values, by key then tenant.
    let tenants: [TenantSettingJSON]
}

/// Human output of one setting.
enum SettingText {
    /// `default`, `override` or `ignored`.
    static func source(_ entry: SettingEntry) -> String {
        entry.problem != nil ? "ignored" : entry.isOverridden ? "override" : "default"
    }

    /// `config get`'s lines.
    static func render(_ entry: SettingEntry) -> [String] {
        let key = entry.key
        var lines = ["\(key.rawValue) = \(key.format(entry.effective))",
                     "  default: \(key.format(entry.defaultValue)); source: \(source(entry))"]
        if let updatedAt = entry.updatedAt, let stored = entry.storedJSON {
            lines.append("  stored: \(stored), updated \(ISOTimestamp.format(updatedAt))")
        }
        if let problem = entry.problem { lines.append("  note: \(problem)") }
        lines.append("  \(key.summary)")
        return lines
    }
}
