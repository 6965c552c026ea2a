import CallDomain
import Foundation

/// One setting as `config get` and `config list` show it: what is stored, the default and
/// what is in force.
public struct SettingEntry: Sendable, Equatable {
    /// The setting.
    public let key: SettingKey
    /// The stored JSON text, nil when the table has no row for it.
    public let storedJSON: String?
    /// When the row was last written, nil when there is none.
    public let updatedAt: Date?
    /// The value in force: the stored one when valid, else the default.
    public let effective: SettingValue
    /// Why a stored row is ignored, nil when there is no row or it is valid.
    public let problem: String?

    /// Creates an entry.
    public init(key: SettingKey, storedJSON: String?, updatedAt: Date?, effective: SettingValue, problem: String?) {
        self.key = key
        self.storedJSON = storedJSON
        self.updatedAt = updatedAt
        self.effective = effective
        self.problem = problem
    }

    /// The default value.
    public var defaultValue: SettingValue { key.defaultValue }

    /// True when a valid stored row overrides the default.
    public var isOverridden: Bool { storedJSON != nil && problem == nil }
}

/// Every setting as `config list` shows it, from one read of the `settings` table.
public struct SettingsListing: Sendable, Equatable {
    /// Every known setting, in ``SettingKey`` order.
    public let entries: [SettingEntry]
    /// Every ignored row, sorted by key: the known keys' (also in their entry's
    /// ``SettingEntry/problem``) and rows whose key callctl does not know.
    public let problems: [SettingProblem]

    /// Creates a listing.
    public init(entries: [SettingEntry], problems: [SettingProblem]) {
        self.entries = entries
        self.problems = problems
    }

    /// The problems of rows whose key is not a ``SettingKey``.
    public var unknownKeyProblems: [SettingProblem] {
        problems.filter { SettingKey(rawValue: $0.key) == nil }
    }
}
