import Foundation

/// Who may subscribe to which channel: the rules behind `/broadcasting/auth`, the hub's
/// public channels, `diagnose echo` and `channels explain`, read from a rules text such as
///
/// ```
/// # pattern                                   rule
/// private-appointments.{appointment}          participant(appointment)
/// private-tenant.{tenant}.admin               role(tenant, admin)
/// presence-tenant.{tenant}.editing.{type}.{id} lock(tenant, doctor, admin, refuse)
/// tenant-{tenant}-news                         public
/// ```
///
/// One rule a line (see ``ChannelRule`` for the rules and ``ChannelPattern`` for matching),
/// `#` starts a comment. At most ``maximumRules`` rules and lines of at most
/// ``maximumLineBytes`` bytes. No two patterns may match one name: such a set is refused when
/// it is read, naming both lines and a name they share, so the order of the lines never
/// matters and a name has at most one rule.
///
/// Public channels (no lowercase `private-`/`presence-` prefix) are never signed. The hub lets
/// anyone subscribe to one unless it *carries private data*: the name matches no `public`
/// rule, and `private-NAME` or `presence-NAME` matches a rule (the private channel published
/// as a public one by accident, e.g. Laravel's `new Channel('chat.3')` for
/// `private-chat.{tenant}`). See ``publicVerdict(_:)``.
public struct ChannelRuleSet: Sendable, Equatable {
    /// The rules, in line order.
    public let rules: [ChannelRule]
    /// The text they were read from.
    public let text: String

    /// The most rules a set may hold.
    public static let maximumRules = 200
    /// The longest line, in bytes.
    public static let maximumLineBytes = 512

    /// Today's rules, before any configuration.
    public static let defaultText = """
        # callctl's default channel rules (docs/design.md "Channels").
        private-appointments.{appointment}            participant(appointment)
        private-users.{user}                          user(user)
        private-App.Models.User.{user}                user(user)
        private-tenant.{tenant}.*                     tenant(tenant)
        presence-tenant.{tenant}.editing.{type}.{id}  tenant(tenant)

        """

    /// The default rules.
    public static let defaults: ChannelRuleSet = {
        do { return try ChannelRuleSet(parsing: defaultText) } catch { fatalError("the default channel rules do not parse: \(error)") }
    }()

    /// Reads a rules text.
    /// - Throws: ``ChannelRulesError`` with every problem found, each with its line and fix.
    public init(parsing text: String) throws(ChannelRulesError) {
        var rules: [ChannelRule] = []
        var problems: [ChannelRulesError.Problem] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            guard line.utf8.count <= Self.maximumLineBytes else {
                problems.append(.init(line: number, message: "the line is \(line.utf8.count) bytes long; at most \(Self.maximumLineBytes)"))
                continue
            }
            do {
                if let rule = try ChannelRuleLine.parse(line.hasSuffix("\r") ? line.dropLast() : line, line: number) { rules.append(rule) }
            } catch {
                problems.append(.init(line: number, message: error.message))
            }
            if rules.count > Self.maximumRules {
                problems.append(.init(line: number, message: "more than \(Self.maximumRules) rules; merge rules with parameters"))
                break
            }
        }
        if problems.isEmpty { problems = Self.overlaps(rules) }
        guard problems.isEmpty else { throw ChannelRulesError(problems: problems) }
        self.rules = rules
        self.text = text
    }

    /// `text` read, reusing the last set read from the same text (reading checks every pair of
    /// rules, and settings are validated at each use).
    public static func cached(_ text: String) throws(ChannelRulesError) -> ChannelRuleSet {
        if let last = lastRead.lock.withLock({ lastRead.set }), last.text == text { return last }
        let set = try ChannelRuleSet(parsing: text)
        lastRead.lock.withLock { lastRead.set = set }
        return set
    }

    /// The last set ``cached(_:)`` read.
    private final class LastRead: @unchecked Sendable {
        let lock = NSLock()
        var set: ChannelRuleSet?
    }

    private static let lastRead = LastRead()

    /// The rule whose pattern matches `name`, with the captured parameters; nil when none does.
    public func match(_ name: String) -> ChannelRuleMatch? {
        for rule in rules {
            if let parameters = rule.match(name) { return ChannelRuleMatch(rule: rule, parameters: parameters) }
        }
        return nil
    }

    /// The mode of the edit lock `name` is, when its rule is `lock(…)`; nil for any other channel.
    public func lockMode(_ name: String) -> ChannelRule.LockMode? {
        if case .lock(_, _, let mode)? = match(name)?.rule.kind { return mode }
        return nil
    }

    /// Whether the hub lets anyone subscribe to the public channel `name` (see the type's notes).
    public func publicVerdict(_ name: String) -> PublicChannelVerdict {
        if let match = match(name), match.rule.kind == .open { return .allowed(match.rule) }
        for prefix in ["private-", "presence-"] {
            if let twin = match(prefix + name) { return .carriesPrivateData(twin: prefix + name, rule: twin.rule) }
        }
        return .allowed(nil)
    }

    /// Every pair of rules whose patterns share a name.
    private static func overlaps(_ rules: [ChannelRule]) -> [ChannelRulesError.Problem] {
        var problems: [ChannelRulesError.Problem] = []
        for (index, first) in rules.enumerated() {
            for second in rules[(index + 1)...] {
                let ids: (ChannelRule) -> Set<String> = { $0.kind.idParameter.map { [$0] } ?? [] }
                if let name = first.pattern.commonName(with: second.pattern, ids: ids(first), otherIds: ids(second)) {
                    problems.append(.init(line: second.line, message: "`\(second.pattern)` and line \(first.line)'s `\(first.pattern)` "
                        + "both match \(name); a name must match one rule only: make one pattern more specific or remove one"))
                }
            }
        }
        return problems
    }
}

/// A rule that matched a channel name, with the parameters it captured.
public struct ChannelRuleMatch: Sendable, Equatable {
    /// The rule.
    public let rule: ChannelRule
    /// Parameter name → value.
    public let parameters: [String: String]

    /// The value of the rule's id parameter as an id; nil for `public`.
    public var id: Int64? {
        rule.kind.idParameter.flatMap { parameters[$0] }.flatMap { ChannelName.canonicalId(Substring($0)) }
    }

    /// The appointment of a `participant` rule; nil for the other rules.
    public var appointmentId: Int64? {
        if case .participant = rule.kind { return id }
        return nil
    }

    /// The parameters in the pattern's order.
    public var orderedParameters: [(name: String, value: String)] {
        rule.pattern.parameters.compactMap { name in parameters[name].map { (name, $0) } }
    }
}

/// What the hub does with a public channel.
public enum PublicChannelVerdict: Sendable, Equatable {
    /// Anyone may subscribe: a `public` rule allows it, or no rule concerns it (nil).
    case allowed(ChannelRule?)
    /// Refused: `twin`, the name with a private prefix, matches `rule`, so the name carries that rule's data.
    case carriesPrivateData(twin: String, rule: ChannelRule)

    /// True when anyone may subscribe.
    public var allowsSubscription: Bool {
        if case .allowed = self { return true }
        return false
    }

    /// The verdict for `channel` in a sentence; a refusal says what to do instead.
    public func detail(for channel: String) -> String {
        switch self {
        case .allowed(let rule?):
            "the hub lets anyone subscribe: line \(rule.line) makes \(rule.pattern) public"
        case .allowed(nil):
            "the hub lets anyone subscribe: no rule concerns \(channel)"
        case .carriesPrivateData(let twin, let rule):
            "the hub refuses \(channel): \(twin) matches line \(rule.line) (\(rule.pattern) \(rule.kind.text)), so \(channel) "
                + "would publish that data to anyone; subscribe to \(twin), or add a rule `\(channel) public` if anyone may read it"
        }
    }
}

/// A rules text that cannot be used: every problem, with its line and fix.
public struct ChannelRulesError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One problem on one line.
    public struct Problem: Sendable, Equatable {
        /// The line, 1-based.
        public let line: Int
        /// What is wrong and how to fix it.
        public let message: String

        /// Creates a problem.
        public init(line: Int, message: String) {
            self.line = line
            self.message = message
        }
    }

    /// The problems, in line order.
    public let problems: [Problem]

    /// `line N: …`, one line per problem.
    public var description: String { problems.map { "line \($0.line): \($0.message)" }.joined(separator: "\n") }
}
