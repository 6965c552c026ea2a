import CallDomain
import Foundation
import Postgres

/// Where the channel rules in force come from: the file `CALLCTL_CHANNEL_RULES` names when it
/// is set, else the `channels.rules` setting, else ``ChannelRuleSet/defaultText``.
/// `/broadcasting/auth`, the hub, `diagnose echo` (through the daemon) and `channels explain`
/// all read them through this one type.
public struct ChannelRulesSource: Sendable, Equatable {
    /// The variable naming a rules file.
    public static let variable = "CALLCTL_CHANNEL_RULES"
    /// The largest rules file read, in bytes (``ChannelRuleSet/maximumRules`` full lines and comments).
    public static let maximumFileBytes = 256 * 1024

    /// The rules file; nil to use the settings table.
    public let file: String?

    /// A source reading `file`, or the settings table when it is nil or empty.
    public init(file: String?) {
        self.file = file.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// `file PATH` or `setting channels.rules`, for messages.
    public var origin: String { file.map { "file \($0) (\(Self.variable))" } ?? "setting \(SettingKey.channelRules.rawValue)" }

    /// The rules text in force now, unparsed.
    /// - Throws: ``ChannelRulesLoadError`` for an unreadable or oversized file or a stored
    ///   value that is not a JSON string; a database error as is.
    public func text(on connection: PGConnection) throws -> String {
        guard let file else {
            guard let stored = try SettingsStore(connection: connection).entry(.channelRules).storedJSON else {
                return ChannelRuleSet.defaultText
            }
            guard let text = try? JSONDecoder().decode(String.self, from: Data(stored.utf8)) else {
                throw ChannelRulesLoadError(origin: origin, message: "the stored value is not a JSON string; store a rules text "
                    + "with callctl channels rules set FILE")
            }
            return text
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? nil
        guard let size, let data = FileManager.default.contents(atPath: file) else {
            throw ChannelRulesLoadError(origin: origin, message: "cannot be read; check the path and that the daemon's user may read it")
        }
        guard size <= Self.maximumFileBytes, data.count <= Self.maximumFileBytes else {
            throw ChannelRulesLoadError(origin: origin, message: "is larger than \(Self.maximumFileBytes) bytes; a rules file holds at most "
                + "\(ChannelRuleSet.maximumRules) rules")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ChannelRulesLoadError(origin: origin, message: "is not UTF-8 text")
        }
        return text
    }

    /// The rules in force now, parsed.
    /// - Throws: ``ChannelRulesLoadError`` naming the source, each bad line and its fix.
    public func load(on connection: PGConnection) throws -> ChannelRuleSet {
        try Self.parse(try text(on: connection), origin: origin)
    }

    /// `text` parsed; its problems as a ``ChannelRulesLoadError`` from `origin`.
    public static func parse(_ text: String, origin: String) throws(ChannelRulesLoadError) -> ChannelRuleSet {
        do {
            return try ChannelRuleSet.cached(text)
        } catch {
            throw ChannelRulesLoadError(origin: origin, message: "is not a valid rule set:\n" + error.description)
        }
    }
}

/// Channel rules that cannot be used, with where they came from.
public struct ChannelRulesLoadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// ``ChannelRulesSource/origin``.
    public let origin: String
    /// What is wrong, with each bad line and its fix.
    public let message: String

    /// Creates an error.
    public init(origin: String, message: String) {
        self.origin = origin
        self.message = message
    }

    /// `channel rules (ORIGIN) MESSAGE`.
    public var description: String { "channel rules (\(origin)) \(message)" }
}
