import Foundation

/// Reads one line of a rules text: `PATTERN RULE`, e.g. `private-tenant.{tenant}.admin role(tenant, admin)`.
/// Text after `#` is a comment (`#` cannot occur in a channel name).
enum ChannelRuleLine {
    /// The rules, as a rules text names them.
    static let ruleNames = "participant, user, tenant, role, lock, public"

    /// The rule on `text` (line `line`), nil for a blank or comment line.
    /// - Throws: a sentence with the fix; the caller adds the line number.
    static func parse(_ text: Substring, line: Int) throws(ChannelPatternError) -> ChannelRule? {
        let content = (text.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
            .trimmingCharacters(in: .whitespaces)
        guard !content.isEmpty else { return nil }
        let words = content.split(maxSplits: 1, whereSeparator: { $0 == " " || $0 == "\t" })
        let pattern = try ChannelPattern(parsing: String(words[0]))
        guard words.count == 2 else {
            throw ChannelPatternError("`\(pattern)` has no rule; write the pattern, a space, then one of \(ruleNames), "
                + "e.g. `\(pattern) tenant(tenant)`")
        }
        let kind = try Self.kind(String(words[1]).trimmingCharacters(in: .whitespaces), of: pattern)
        return ChannelRule(line: line, pattern: pattern, kind: kind)
    }

    private static func kind(_ text: String, of pattern: ChannelPattern) throws(ChannelPatternError) -> ChannelRule.Kind {
        let name = String(text.prefix { $0 != "(" }).trimmingCharacters(in: .whitespaces)
        var arguments: [String] = []
        if name.count < text.count {
            guard text.hasSuffix(")") else {
                throw ChannelPatternError("`\(text)` opens ( without closing it; write e.g. role(tenant, admin)")
            }
            arguments = text.dropFirst(name.count + 1).dropLast().split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            if arguments == [""] { arguments = [] }
        }
        if name == "public" {
            guard arguments.isEmpty else { throw ChannelPatternError("public takes no arguments; write just `public`") }
            guard pattern.isPublic else {
                throw ChannelPatternError("public applies to names without a private-/presence- prefix, and `\(pattern)` has one; "
                    + "drop the prefix for a public channel, or choose a rule that says who may subscribe")
            }
            return .open
        }
        guard ["participant", "user", "tenant", "role", "lock"].contains(name) else {
            throw ChannelPatternError("unknown rule `\(name)`; the rules are \(ruleNames)")
        }
        guard !pattern.isPublic else {
            throw ChannelPatternError("`\(pattern)` is a public channel (no private-/presence- prefix): anyone may subscribe without "
                + "a signature, so \(name)(…) cannot be checked; write private-\(pattern), or `public` if anyone may read it")
        }
        guard let parameter = arguments.first, !parameter.isEmpty else {
            throw ChannelPatternError("\(name) needs the parameter it checks first, e.g. \(name)(\(pattern.parameters.first ?? "tenant"))")
        }
        guard pattern.parameters.contains(parameter) else {
            let known = pattern.parameters.isEmpty ? "it has none" : "its parameters are " + pattern.parameters.joined(separator: ", ")
            throw ChannelPatternError("\(name)(\(parameter)) names no parameter of `\(pattern)`; \(known)")
        }
        switch name {
        case "participant", "user", "tenant":
            guard arguments.count == 1 else {
                throw ChannelPatternError("\(name) takes one parameter; write \(name)(\(parameter))")
            }
            return name == "participant" ? .participant(appointment: parameter) : name == "user" ? .user(user: parameter) : .tenant(tenant: parameter)
        case "role":
            return .role(tenant: parameter, roles: try roles(Array(arguments.dropFirst()), rule: "role(\(parameter), admin)"))
        default:
            guard pattern.isPresence else {
                throw ChannelPatternError("lock needs a presence- channel (its members are the holder and the others); "
                    + "write presence-… or use role(…) for a private channel")
            }
            guard let last = arguments.last, let mode = ChannelRule.LockMode(rawValue: last), arguments.count > 1 else {
                throw ChannelPatternError("lock ends with what a second user gets, refuse or watch; write e.g. lock(\(parameter), doctor, admin, refuse)")
            }
            return .lock(tenant: parameter, roles: try roles(Array(arguments.dropFirst().dropLast()), rule: "lock(\(parameter), doctor, refuse)"),
                         mode: mode)
        }
    }

    private static func roles(_ names: [String], rule example: String) throws(ChannelPatternError) -> [UserRole] {
        guard !names.isEmpty else {
            throw ChannelPatternError("name at least one role after the tenant parameter, e.g. \(example)")
        }
        var roles: [UserRole] = []
        for name in names {
            guard let role = UserRole(rawValue: name) else {
                throw ChannelPatternError("unknown role `\(name)`; the roles are \(UserRole.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard !roles.contains(role) else { throw ChannelPatternError("role \(name) is named twice; name it once") }
            roles.append(role)
        }
        return roles
    }
}
