import Foundation
import Postgres

/// Writes a command's text somewhere: stdout and stderr in the `callctl` process, a buffer in tests.
struct Output: Sendable {
    let write: @Sendable (String) -> Void

    /// Standard output.
    static let standard = Output { text in StandardStreams.out(text) }

    /// Standard error.
    static let standardError = Output { text in StandardStreams.error(text) }

    /// Writes one line.
    func line(_ text: String = "") { write(text + "\n") }

    /// Writes a value as pretty JSON with sorted keys, snake_case as given by its coding keys
    /// (or, with `keys: .convertToSnakeCase`, derived from its camelCase property names).
    func json<T: Encodable>(_ value: T, keys: JSONEncoder.KeyEncodingStrategy = .useDefaultKeys) throws {
        write(try Self.jsonText(value, keys: keys))
    }

    /// A value as pretty JSON with sorted keys and a final newline; dates as ISO-8601 UTC.
    static func jsonText<T: Encodable>(_ value: T, keys: JSONEncoder.KeyEncodingStrategy = .useDefaultKeys) throws -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = keys
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(PGTimestamp.format(date))
        }
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }
}
