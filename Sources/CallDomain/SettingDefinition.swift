/// What one setting is: its summary for `config` listings and the ``CallSettings`` field it
/// fills, with what that field accepts. ``SettingKey/definition`` holds one per key, so reading,
/// validating, formatting and resolving a setting need no further per-key code.
public struct SettingDefinition: Sendable {
    /// One day in seconds: the longest a duration setting may be unless its definition says more.
    public static let day = 86_400

    /// A one-line description for `config` listings.
    public let summary: String
    /// The field it fills and the values it accepts.
    public let field: Field
    /// Whether a tenant may have its own value (`config set KEY VALUE --tenant ID`), which wins
    /// over the clinic-wide one for that tenant's appointments.
    public let perTenant: Bool

    /// The ``CallSettings`` field a setting fills.
    public enum Field: Sendable {
        /// Whole seconds within `allowed`, stored as a JSON number.
        case duration(WritableKeyPath<CallSettings, Int> & Sendable, allowed: ClosedRange<Int>)
        /// A PHP namespace, stored as a JSON string.
        case namespace(WritableKeyPath<CallSettings, String> & Sendable)
        /// A JSON boolean.
        case flag(WritableKeyPath<CallSettings, Bool> & Sendable)
        /// One of `options`, stored as a JSON string.
        case choice(WritableKeyPath<CallSettings, String> & Sendable, options: [String])
        /// A ``ChannelRuleSet`` text, stored as a JSON string.
        case rules(WritableKeyPath<CallSettings, String> & Sendable)
    }

    /// Creates a definition.
    public init(_ summary: String, _ field: Field, perTenant: Bool = false) {
        self.summary = summary
        self.field = field
        self.perTenant = perTenant
    }

    /// The field's value in `settings`, as it would be stored.
    func value(in settings: CallSettings) -> SettingValue {
        switch field {
        case .duration(let path, _): .number(Double(settings[keyPath: path]))
        case .namespace(let path), .choice(let path, _), .rules(let path): .string(settings[keyPath: path])
        case .flag(let path): .bool(settings[keyPath: path])
        }
    }

    /// Sets the field from a value that passed ``SettingKey/validate(_:)``; a value of another
    /// JSON type is ignored.
    func assign(_ value: SettingValue, to settings: inout CallSettings) {
        switch (field, value) {
        case (.duration(let path, _), .number(let seconds)): settings[keyPath: path] = Int(seconds)
        case (.namespace(let path), .string(let text)), (.choice(let path, _), .string(let text)), (.rules(let path), .string(let text)):
            settings[keyPath: path] = text
        case (.flag(let path), .bool(let flag)): settings[keyPath: path] = flag
        default: break
        }
    }
}
