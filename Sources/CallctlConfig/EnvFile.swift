import Foundation

/// A parsed Laravel `.env` file.
///
/// Follows the dotenv rules Laravel uses: `KEY=value` lines, `export ` prefixes, `#` comments,
/// unquoted values ending at ` #`, single quotes taken literally, double quotes with `\n`,
/// `\t`, `\"`, `\\` escapes and values spanning lines, and `${NAME}` references in unquoted and
/// double-quoted values (resolved against earlier keys, then the process environment).
///
/// References can make values grow (`B=${A}${A}`, `C=${B}${B}`, … doubles each line), so
/// every value is limited to ``maximumValueBytes`` and all of them together to
/// ``maximumTotalValueBytes``; a file over either is refused with a ``ConfigError`` naming
/// the line.
public struct EnvFile: Sendable, Equatable {
    /// Largest file read, so a wrong path to a huge file fails fast.
    public static let maximumBytes = 1 << 20
    /// Largest value, after `${…}` references are expanded (64 KiB).
    public static let maximumValueBytes = 64 << 10
    /// Largest sum of the values held, after expansion: no more than the largest file.
    public static let maximumTotalValueBytes = maximumBytes

    /// The variables in file order (a repeated key keeps its last value).
    public private(set) var values: [String: String] = [:]

    /// Reads and parses a file.
    public init(path: String, processEnvironment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigError) {
        let data: Data
        switch SmallFile.read(path, limit: Self.maximumBytes) {
        case .unreadable:
            throw ConfigError("cannot read the env file \(path): it does not exist or is not readable (run as root or the service's user); pass the service's env file (/etc/callctl/callctl.env) or the Laravel application's .env")
        case .tooLarge:
            throw ConfigError("the env file \(path) is larger than the \(Self.maximumBytes) bytes allowed; is it really a .env file?")
        case .data(let contents):
            data = contents
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError("cannot read the env file \(path) as UTF-8 text")
        }
        try self.init(parsing: text, name: path, processEnvironment: processEnvironment)
    }

    /// Parses `.env` text; `name` appears in error messages.
    public init(parsing text: String, name: String = ".env", processEnvironment: [String: String] = [:]) throws(ConfigError) {
        var parser = EnvParser(text: text, name: name)
        var total = 0
        while let (key, value) = try parser.nextAssignment(resolve: { reference in
            values[reference] ?? processEnvironment[reference] ?? ""
        }) {
            total += value.utf8.count - (values[key]?.utf8.count ?? 0)
            guard total <= Self.maximumTotalValueBytes else {
                throw parser.failure("the values add up to more than \(Self.maximumTotalValueBytes) bytes once ${…} references "
                    + "are expanded; do values repeat each other through references?")
            }
            values[key] = value
        }
    }
}

/// A configuration problem: exit code 78 (EX_CONFIG), with a sentence saying what to fix.
public struct ConfigError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What is wrong and what to do.
    public let description: String

    /// Creates an error with its message.
    public init(_ description: String) { self.description = description }
}
