import Foundation
import CLibPQ

/// Where to connect, as a libpq connection string (URL or `key=value` form).
///
/// Everything left unset behaves exactly as in `psql`: libpq fills it from the `PG*`
/// environment variables, `~/.pgpass` (or `PGPASSFILE`), service files and its defaults.
/// The string itself is never printed: `description` shows only what is safe to show.
public struct ConnectionSettings: Sendable, CustomStringConvertible {
    let conninfo: String
    /// Where these settings came from, e.g. `DATABASE_URL` or `--database-url`.
    public let source: String
    /// The explicitly given options without secrets (`host`, `port`, `dbname`, `user`, ...).
    public let visibleOptions: [String: String]
    let secrets: [String]

    /// Parses and validates a connection string; an empty string means libpq defaults.
    /// - Throws: `PostgresError` of kind `.connection` whose message never echoes a secret.
    public init(_ conninfo: String, source: String) throws(PostgresError) {
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(conninfo, &errorMessage) else {
            var message = "the connection string from \(source) could not be parsed"
            if let errorMessage {
                let raw = String(cString: errorMessage)
                PQfreemem(errorMessage)
                // libpq quotes the piece it could not read, which may be part of the password:
                // only the shape of the problem and its fix are kept.
                message += ": " + Redactor(secrets: [conninfo])
                    .redact(ConnectionStringProblem.describe(libpqMessage: raw, conninfo: conninfo))
            }
            throw PostgresError(.settings, message)
        }
        defer { PQconninfoFree(options) }
        var visible: [String: String] = [:]
        var secrets: [String] = []
        var cursor = options
        while let keywordPointer = cursor.pointee.keyword {
            if let valuePointer = cursor.pointee.val {
                let keyword = String(cString: keywordPointer)
                let value = String(cString: valuePointer)
                if keyword == "password" || keyword == "sslpassword" {
                    secrets.append(value)
                } else {
                    visible[keyword] = value
                }
            }
            cursor = cursor.advanced(by: 1)
        }
        self.conninfo = conninfo
        self.source = source
        self.visibleOptions = visible
        self.secrets = secrets + [conninfo]
    }

    /// Builds settings from keyword/value pairs (Laravel's `DB_*` variables, for example),
    /// quoting each value as libpq requires. Pairs with empty values are left to libpq.
    public init(keywords: [(String, String)], source: String) throws(PostgresError) {
        let parts = keywords.filter { !$0.1.isEmpty }.map { key, value in
            let escaped = value.replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "'", with: "\\'")
            return "\(key)='\(escaped)'"
        }
        try self.init(parts.joined(separator: " "), source: source)
    }

    /// A one-line summary safe to print: database, user, host and port when given, and the source.
    public var description: String {
        let shown = ["dbname", "user", "host", "port"].compactMap { key in
            visibleOptions[key].map { "\(key)=\($0)" }
        }
        return shown.isEmpty ? source : "\(shown.joined(separator: " ")) (from \(source))"
    }

    /// Removes this connection's secrets from a libpq message and folds its lines into one.
    func redact(_ message: String) -> String {
        Redactor(secrets: secrets).redact(message)
            .split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
            .joined(separator: "; ")
    }
}

/// Replaces known secret values in text with `***`.
struct Redactor {
    let secrets: [String]

    func redact(_ text: String) -> String {
        secrets.filter { $0.count >= 3 }.sorted { $0.count > $1.count }.reduce(text) { partial, secret in
            partial.replacingOccurrences(of: secret, with: "***")
        }
    }
}
