/// A value of the `settings` table's `jsonb` column: a JSON number, string or boolean.
///
/// Encodes and decodes as that bare JSON value (`900`, `"App\\Events"`, `true`); integral
/// numbers are written without a fraction.
public enum SettingValue: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    /// A JSON number (durations are seconds).
    case number(Double)
    /// A JSON string.
    case string(String)
    /// A JSON boolean.
    case bool(Bool)

    /// Decodes a bare JSON boolean, number or string.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let flag = try? container.decode(Bool.self) {
            self = .bool(flag)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else {
            self = .string(try container.decode(String.self))
        }
    }

    /// Encodes the bare JSON value.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .number(let number):
            if let whole = Int64(exactly: number) {
                try container.encode(whole)
            } else {
                try container.encode(number)
            }
        case .string(let text): try container.encode(text)
        case .bool(let flag): try container.encode(flag)
        }
    }

    /// The value as JSON-ish text for messages: `900`, `1.5`, `"15m"`, `true`.
    public var description: String {
        switch self {
        case .number(let number):
            if let whole = Int64(exactly: number) { return String(whole) }
            return String(number)
        case .string(let text): return "\"\(text)\""
        case .bool(let flag): return String(flag)
        }
    }
}
