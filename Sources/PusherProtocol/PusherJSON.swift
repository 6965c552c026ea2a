import Foundation

/// A JSON value, used for message `data`, presence `user_info` and similar payloads. Text is
/// read with ``init(parsing:)`` (one linear pass, see `PusherJSONParser`), not a `Decoder`.
///
/// Integers are kept apart from other numbers so values such as `activity_timeout`
/// or a numeric `user_id` re-encode without a fractional part.
public enum PusherJSON: Sendable, Hashable, Encodable {
    /// `null`.
    case null
    /// `true` / `false`.
    case bool(Bool)
    /// A number without fractional part that fits in `Int`.
    case integer(Int)
    /// Any other number.
    case number(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([PusherJSON])
    /// An object.
    case object([String: PusherJSON])

    /// Encodes the value as the JSON it represents.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// Parses JSON text in one linear pass; nil when it is not one valid JSON value or nests
    /// deeper than 256 levels. A repeated member name keeps the last value.
    public init?(parsing text: some DataProtocol) {
        guard let value = PusherJSONParser.parse(text) else { return nil }
        self = value
    }

    /// Compact JSON text with sorted keys and unescaped slashes (deterministic output).
    public var jsonString: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding this enum cannot fail except for non-finite doubles, which JSON cannot carry.
        guard let data = try? encoder.encode(self) else { return "null" }
        return String(decoding: data, as: UTF8.self)
    }

    /// The member named `key` when this is an object, else nil.
    public subscript(key: String) -> PusherJSON? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The string payload, or nil for other kinds.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }
}
