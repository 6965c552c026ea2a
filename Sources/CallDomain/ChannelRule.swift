/// One line of a channel rule set: a pattern and who may subscribe to the channels it names.
///
/// The parameter a rule names first (`appointment`, `user` or `tenant` below) is an *id
/// parameter*: the pattern matches only when its value is a canonical positive decimal.
/// Other parameters (`{type}`, `{id}` of an edit lock) take any text.
public struct ChannelRule: Sendable, Equatable, Hashable {
    /// The line of the rules text it was read from (1-based).
    public let line: Int
    /// The channel names it covers.
    public let pattern: ChannelPattern
    /// Who may subscribe.
    public let kind: Kind

    /// Who may subscribe to a rule's channels.
    public enum Kind: Sendable, Equatable, Hashable {
        /// `participant(appointment)`: the appointment's doctor or patient user.
        case participant(appointment: String)
        /// `user(user)`: that user only.
        case user(user: String)
        /// `tenant(tenant)`: any user of that tenant.
        case tenant(tenant: String)
        /// `role(tenant, ROLE, …)`: a user of that tenant whose `users.role` is one of `roles`.
        case role(tenant: String, roles: [UserRole])
        /// `lock(tenant, ROLE, …, refuse|watch)`: a presence channel used as an edit lock; who
        /// may join is as for `role`; `mode` says what happens to a second user.
        case lock(tenant: String, roles: [UserRole], mode: LockMode)
        /// `public`: a public channel anyone may subscribe to without a signature.
        case open

        /// The id parameter the rule reads; nil for `public`.
        public var idParameter: String? {
            switch self {
            case .participant(let name), .user(let name), .tenant(let name), .role(let name, _), .lock(let name, _, _): name
            case .open: nil
            }
        }

        /// The rule as written in a rules text, e.g. `role(tenant, admin)`.
        public var text: String {
            switch self {
            case .participant(let name): "participant(\(name))"
            case .user(let name): "user(\(name))"
            case .tenant(let name): "tenant(\(name))"
            case .role(let name, let roles): "role(\(([name] + roles.map(\.rawValue)).joined(separator: ", ")))"
            case .lock(let name, let roles, let mode): "lock(\(([name] + roles.map(\.rawValue) + [mode.rawValue]).joined(separator: ", ")))"
            case .open: "public"
            }
        }
    }

    /// What an edit lock does with a second user (the lock itself is the hub's).
    public enum LockMode: String, Sendable, Equatable, Hashable, CaseIterable {
        /// A second user is refused with `pusher:subscription_error` naming the holder.
        case refuse
        /// A second user joins as a watcher and is told who holds the lock.
        case watch
    }

    /// The parameters' values when `name` matches the pattern (the id parameter canonical), else nil.
    public func match(_ name: String) -> [String: String]? {
        pattern.match(name, ids: kind.idParameter.map { [$0] } ?? [])
    }

    /// Creates a rule.
    public init(line: Int, pattern: ChannelPattern, kind: Kind) {
        self.line = line
        self.pattern = pattern
        self.kind = kind
    }
}
