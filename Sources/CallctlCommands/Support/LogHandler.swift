import Foundation
import Logging
import Postgres

/// A swift-log handler writing one line per message to stderr: human-readable on a terminal,
/// JSON lines otherwise (for journald, Loki and friends), with structured metadata.
struct CallctlLogHandler: LogHandler {
    let label: String
    let json: Bool
    let write: @Sendable (String) -> Void
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        write(Self.render(level: event.level, message: "\(event.message)", metadata: merged, label: label, json: json, at: Date()) + "\n")
    }

    /// Renders one line (exposed for tests). Control characters in the message or the
    /// metadata never break the line or reach the terminal raw: the human format writes them
    /// as `\n`, `\u{1B}`, …, the JSON format as JSON escapes (``LogEscaping``).
    static func render(level: Logger.Level, message: String, metadata: Logger.Metadata, label: String, json: Bool, at date: Date) -> String {
        let timestamp = PGTimestamp.format(date)
        if json {
            var object: [String: Any] = ["ts": timestamp, "level": level.rawValue, "logger": label, "msg": message]
            for (key, value) in metadata where object[key] == nil { object[key] = jsonValue(value) }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            return LogEscaping.json(String(decoding: data, as: UTF8.self))
        }
        let fields = metadata.sorted { $0.key < $1.key }.map { LogEscaping.human("\($0.key)=\($0.value)") }
        return ([String(timestamp.prefix(23)) + "Z", level.rawValue.uppercased().padding(toLength: 7, withPad: " ", startingAt: 0),
                 LogEscaping.human(message)] + fields)
            .joined(separator: " ")
    }

    private static func jsonValue(_ value: Logger.MetadataValue) -> Any {
        switch value {
        case .string(let text): return text
        case .stringConvertible(let convertible): return "\(convertible)"
        case .array(let items): return items.map(jsonValue)
        case .dictionary(let entries): return entries.mapValues(jsonValue)
        }
    }
}

/// Maps `--log-level` text to swift-log levels.
enum LogLevelName {
    static func parse(_ text: String) -> Logger.Level? { Logger.Level(rawValue: text.lowercased()) }
}

/// Makes the log handlers: once per process for the `callctl` binary (swift-log allows one
/// bootstrap), or per logger for a command run inside a test.
enum LoggingSetup {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var done = false

    /// Installs the process-wide handler writing to stderr; later calls change nothing.
    static func bootstrap(_ options: LoggingOptions, terminal: Bool) {
        lock.lock()
        defer { lock.unlock() }
        guard !done else { return }
        done = true
        LoggingSystem.bootstrap(handlerFactory(options, terminal: terminal, write: { line in StandardStreams.error(line) }))
    }

    /// Handlers writing lines to `write`: JSON with `--log-format json`, or with `auto` when the
    /// destination is not a terminal; human lines otherwise; at `--log-level`.
    static func handlerFactory(_ options: LoggingOptions, terminal: Bool,
                               write: @escaping @Sendable (String) -> Void) -> @Sendable (String) -> any LogHandler {
        let json = options.logFormat == .json || (options.logFormat == .auto && !terminal)
        let level = LogLevelName.parse(options.logLevel) ?? .info
        return { label in CallctlLogHandler(label: label, json: json, write: write, logLevel: level) }
    }
}
