/// A Pusher channel name, parsed into the kinds the rules know.
///
/// Build names with the cases and ``name``; read one with ``init(parsing:)``.
public enum ChannelName: Sendable, Equatable, Hashable {
    /// `private-appointments.{id}`: an appointment's call events.
    case appointment(Int64)
    /// `private-users.{id}`: one user's own channel.
    case user(Int64)
    /// `private-App.Models.User.{id}`: Laravel's default per-user notification channel.
    case laravelUser(Int64)
    /// `private-tenant.{tid}.{rest}`: a tenant-wide channel; `rest` is non-empty.
    case tenant(tenantId: Int64, rest: String)
    /// `presence-tenant.{tid}.editing.{type}.{id}`: an edit lock (the first member holds it).
    case tenantEditing(tenantId: Int64, type: String, id: String)
    /// A channel without `private-` or `presence-` prefix: anyone may subscribe.
    case publicChannel(String)
    /// A well-formed private or presence channel no rule knows.
    case unknownPrivate(String)

    /// The longest channel name Pusher accepts.
    public static let maxLength = 164

    /// The channel name as sent on the wire.
    public var name: String {
        switch self {
        case .appointment(let id): "private-appointments.\(id)"
        case .user(let id): "private-users.\(id)"
        case .laravelUser(let id): "private-App.Models.User.\(id)"
        case .tenant(let tenantId, let rest): "private-tenant.\(tenantId).\(rest)"
        case .tenantEditing(let tenantId, let type, let id): "presence-tenant.\(tenantId).editing.\(type).\(id)"
        case .publicChannel(let name), .unknownPrivate(let name): name
        }
    }

    /// True for `private-` and `presence-` channels, which need `/broadcasting/auth`.
    public var needsAuthorization: Bool {
        if case .publicChannel = self { return false }
        return true
    }

    /// True for `presence-` channels, whose auth answer carries the member's `channel_data`.
    public var isPresence: Bool { name.hasPrefix("presence-") }

    /// Parses a channel name.
    ///
    /// Refuses with `validation` a name that is empty, longer than ``maxLength`` or holds a
    /// character outside Pusher's `[A-Za-z0-9_\-=@,.;]`. Ids must be canonical positive
    /// decimals (`7`, not `07` or `+7`); a private name whose id is not is ``unknownPrivate``.
    public init(parsing name: String) throws(DomainError) {
        guard !name.isEmpty, name.utf8.count <= Self.maxLength else {
            throw DomainError(
                .validation,
                "A channel name must be 1 to \(Self.maxLength) characters long; got \(name.utf8.count)."
            )
        }
        guard name.unicodeScalars.allSatisfy(Self.isAllowed) else {
            throw DomainError(
                .validation,
                "Channel name \"\(name)\" contains a character Pusher does not allow; use only ASCII letters, digits and _-=@,.;"
            )
        }
        self = Self.classify(name)
    }

    private static func classify(_ name: String) -> ChannelName {
        for (prefix, make) in idChannels {
            if name.hasPrefix(prefix), let id = canonicalId(name.dropFirst(prefix.count)) {
                return make(id)
            }
        }
        if name.hasPrefix("private-tenant.") {
            let parts = name.dropFirst("private-tenant.".count).split(separator: ".", maxSplits: 1)
            if parts.count == 2, let tenantId = canonicalId(parts[0]), !parts[1].isEmpty {
                return .tenant(tenantId: tenantId, rest: String(parts[1]))
            }
        } else if name.hasPrefix("presence-tenant.") {
            let parts = name.dropFirst("presence-tenant.".count).split(separator: ".", omittingEmptySubsequences: false)
            if parts.count == 4, parts[1] == "editing", let tenantId = canonicalId(parts[0]),
               !parts[2].isEmpty, !parts[3].isEmpty {
                return .tenantEditing(tenantId: tenantId, type: String(parts[2]), id: String(parts[3]))
            }
        }
        let isPrivate = name.hasPrefix("private-") || name.hasPrefix("presence-")
        return isPrivate ? .unknownPrivate(name) : .publicChannel(name)
    }

    private static let idChannels: [(String, @Sendable (Int64) -> ChannelName)] = [
        ("private-appointments.", { .appointment($0) }),
        ("private-users.", { .user($0) }),
        ("private-App.Models.User.", { .laravelUser($0) }),
    ]

    /// `text` as an id when it is a canonical positive decimal (`7`, not `07`, `+7` or `0`).
    static func canonicalId(_ text: Substring) -> Int64? {
        guard let id = Int64(text), id > 0, String(id) == text else { return nil }
        return id
    }

    /// True for the characters Pusher allows in a channel name: `A-Za-z0-9_-=@,.;`.
    static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "A"..."Z", "a"..."z", "0"..."9", "_", "-", "=", "@", ",", ".", ";": true
        default: false
        }
    }
}
