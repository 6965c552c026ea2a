/// A channel pattern as Laravel's `routes/channels.php` writes one: literal text, `{name}`
/// parameters, and optionally a final `*`, e.g. `private-appointments.{appointment}` or
/// `private-tenant.{tenant}.*`.
///
/// Matching is exact and deterministic (no backtracking):
/// - literal text matches itself, case-sensitively;
/// - a parameter matches the longest run (at least one character) of Pusher's channel
///   characters that holds neither `.` nor the first character of the literal text after it,
///   so `tenant-{tenant}-notifications` captures `3` from `tenant-3-notifications`; an *id*
///   parameter (one a rule reads as an id, see ``ChannelRule``) must then be a canonical positive
///   decimal (`7`, not `07`), else the pattern does not match;
/// - a final `*` matches the rest of the name, one character or more, dots included.
///
/// Two parameters, or a parameter and `*`, must be separated by literal text.
public struct ChannelPattern: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// One piece of a pattern.
    public enum Part: Sendable, Equatable, Hashable {
        /// Text that must appear as written.
        case literal(String)
        /// `{name}`: a captured value.
        case parameter(String)
        /// A final `*`: the rest of the name.
        case rest

        /// True for literal text.
        var isLiteral: Bool { if case .literal = self { true } else { false } }
    }

    /// The pattern as written.
    public let description: String
    /// Its pieces, in order.
    public let parts: [Part]

    /// The parameters' names, in order.
    public var parameters: [String] {
        parts.compactMap { if case .parameter(let name) = $0 { name } else { nil } }
    }

    /// True for a pattern without a `private-` or `presence-` prefix: it names public channels.
    public var isPublic: Bool { !description.hasPrefix("private-") && !description.hasPrefix("presence-") }

    /// True for a `presence-` pattern.
    public var isPresence: Bool { description.hasPrefix("presence-") }

    /// Parses a pattern.
    /// - Throws: a sentence saying what is wrong and how to fix it.
    public init(parsing text: String) throws(ChannelPatternError) {
        guard !text.isEmpty, text.utf8.count <= ChannelName.maxLength else {
            throw ChannelPatternError("a pattern must be 1 to \(ChannelName.maxLength) characters long; `\(text.prefix(40))…` is \(text.utf8.count)")
        }
        var parts: [Part] = []
        var literal = ""
        var scalars = text.unicodeScalars[...]
        while let scalar = scalars.popFirst() {
            switch scalar {
            case "{":
                guard let close = scalars.firstIndex(of: "}") else {
                    throw ChannelPatternError("`\(text)` opens a parameter with { but never closes it; write {name}")
                }
                let name = String(scalars[..<close])
                scalars = scalars[scalars.index(after: close)...]
                try Self.checkParameter(name, in: text, declared: parts)
                try Self.append(.literal(literal), to: &parts, in: text)
                literal = ""
                try Self.append(.parameter(name), to: &parts, in: text)
            case "}":
                throw ChannelPatternError("`\(text)` closes a parameter with } that was never opened; write {name}")
            case "*":
                guard scalars.isEmpty else {
                    throw ChannelPatternError("`\(text)` has * before its end; * may only end a pattern (the rest of the name)")
                }
                try Self.append(.literal(literal), to: &parts, in: text)
                literal = ""
                try Self.append(.rest, to: &parts, in: text)
            default:
                guard ChannelName.isAllowed(scalar) else {
                    throw ChannelPatternError("`\(text)` holds `\(scalar.escaped(asASCII: true))`, which Pusher does not allow in a "
                        + "channel name; use only ASCII letters, digits and _-=@,.; (plus {name} and a final *)")
                }
                literal.unicodeScalars.append(scalar)
            }
        }
        try Self.append(.literal(literal), to: &parts, in: text)
        self.description = text
        self.parts = parts
    }

    /// The parameters' values when `name` matches, else nil. Parameters named in `ids` must be
    /// canonical positive decimals.
    public func match(_ name: String, ids: Set<String>) -> [String: String]? {
        var rest = Substring(name)
        var values: [String: String] = [:]
        for (index, part) in parts.enumerated() {
            switch part {
            case .literal(let text):
                guard rest.hasPrefix(text) else { return nil }
                rest = rest.dropFirst(text.count)
            case .parameter(let parameter):
                let stop = Self.stop(after: index, in: parts)
                let value = rest.prefix { $0 != "." && $0 != stop }
                guard !value.isEmpty else { return nil }
                if ids.contains(parameter), ChannelName.canonicalId(value) == nil { return nil }
                values[parameter] = String(value)
                rest = rest.dropFirst(value.count)
            case .rest:
                guard !rest.isEmpty else { return nil }
                rest = ""
            }
        }
        return rest.isEmpty ? values : nil
    }

    /// The character a parameter at `index` stops at, besides `.`: the first of the literal after it.
    static func stop(after index: Int, in parts: [Part]) -> Character? {
        guard index + 1 < parts.count, case .literal(let next) = parts[index + 1] else { return nil }
        return next.first
    }

    private static func checkParameter(_ name: String, in text: String, declared: [Part]) throws(ChannelPatternError) {
        guard !name.isEmpty else {
            throw ChannelPatternError("`\(text)` has an empty parameter {}; name it, e.g. {tenant}")
        }
        let isName = name.unicodeScalars.allSatisfy { $0 == "_" || ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) }
            && !("0"..."9").contains(name.unicodeScalars.first!)
        guard isName else {
            throw ChannelPatternError("`\(text)` has parameter {\(name)}; a parameter name is ASCII letters, digits and _, not starting with a digit")
        }
        guard !declared.contains(.parameter(name)) else {
            throw ChannelPatternError("`\(text)` declares {\(name)} twice; give each parameter its own name")
        }
    }

    /// Appends `part`, skipping empty literals and refusing pieces that would touch without text between them.
    private static func append(_ part: Part, to parts: inout [Part], in text: String) throws(ChannelPatternError) {
        if case .literal(let literal) = part {
            if !literal.isEmpty { parts.append(part) }
            return
        }
        if let last = parts.last, !last.isLiteral {
            throw ChannelPatternError("`\(text)` puts two parameters (or a parameter and *) side by side; separate them with text such as . or -")
        }
        parts.append(part)
    }
}

/// Why a channel pattern cannot be used: a sentence with the fix.
public struct ChannelPatternError: Error, Sendable, Equatable {
    /// What is wrong and what to write instead.
    public let message: String

    init(_ message: String) { self.message = message }
}
