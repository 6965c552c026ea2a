/// The signed-in user asking for a channel.
public struct ChannelUser: Sendable, Equatable, Hashable {
    /// `users.id`.
    public var id: Int64
    /// `users.tenant_id`.
    public var tenantId: Int64
    /// `users.role`; nil when the column is NULL or missing (a `role` or `lock` rule then refuses).
    public var role: UserRole?

    /// Creates a channel user.
    public init(id: Int64, tenantId: Int64, role: UserRole? = nil) {
        self.id = id
        self.tenantId = tenantId
        self.role = role
    }
}

/// `users.role`: what a `role` or `lock` channel rule may require.
public enum UserRole: String, Sendable, Equatable, Hashable, CaseIterable, Codable {
    /// A doctor of the tenant.
    case doctor
    /// A patient of the tenant.
    case patient
    /// An administrator of the tenant.
    case admin
}

/// The answer of ``ChannelRuleSet/authorize(channel:user:isParticipant:)``.
public enum ChannelDecision: Sendable, Equatable {
    /// Subscription allowed; carries the parsed channel.
    case allowed(ChannelName)
    /// Subscription refused, with the reason.
    case refused(DomainError)

    /// The refusal's reason code, or nil when allowed.
    public var refusal: ReasonCode? {
        if case .refused(let error) = self { return error.reason }
        return nil
    }
}
