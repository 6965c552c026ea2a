/// Why a user may or may not subscribe to a channel: the rule that matched, its parameters and
/// each check in the order it was made. `/broadcasting/auth` answers with its ``decision``;
/// `callctl channels explain` prints all of it.
public struct ChannelExplanation: Sendable, Equatable {
    /// The channel asked for, as sent.
    public let channel: String
    /// The user asking; nil when unauthenticated.
    public let user: ChannelUser?
    /// The rule whose pattern matched, with its parameters; nil when none did.
    public let match: ChannelRuleMatch?
    /// Each check made, in order; the last failed one is the refusal.
    public let checks: [ChannelCheck]
    /// `/broadcasting/auth`'s answer.
    public let decision: ChannelDecision
    /// For a public channel, whether the hub lets anyone subscribe; nil for private and presence channels.
    public let hub: PublicChannelVerdict?

    /// True when the subscription goes ahead: the signature for a private or presence channel,
    /// the hub's subscription for a public one.
    public var allowed: Bool {
        switch hub {
        case .allowed?: true
        case .carriesPrivateData?: false
        case nil: decision.refusal == nil
        }
    }
}

/// One check of a ``ChannelExplanation``.
public struct ChannelCheck: Sendable, Equatable {
    /// What was checked: `name`, `signature`, `hub`, `rule`, `user`, `participant`, `owner`, `tenant` or `role`.
    public let name: String
    /// Whether it passed.
    public let passed: Bool
    /// What was found, in a sentence.
    public let detail: String

    /// Creates a check.
    public init(_ name: String, passed: Bool, _ detail: String) {
        self.name = name
        self.passed = passed
        self.detail = detail
    }
}

extension ChannelRuleSet {
    /// Decides whether `user` (nil when unauthenticated) may subscribe to `channel`.
    ///
    /// `isParticipant` is asked, only for `participant` rules, whether the user is the
    /// appointment's doctor or patient; a missing appointment must answer false, so that the
    /// answer does not reveal which appointments exist.
    ///
    /// Refusals: `validation` (422) for a malformed name; `unknown_channel` for a public
    /// channel (never signed: it needs no signature) or a private one no rule matches;
    /// `unauthenticated` (401) without a user; `not_participant` for another appointment's or
    /// user's channel; `wrong_tenant` for another tenant's; `wrong_role` for a `role` or `lock`
    /// rule that admits other roles. All others are 403.
    public func authorize(
        channel: String, user: ChannelUser?, isParticipant: (_ appointmentId: Int64) async throws -> Bool
    ) async rethrows -> ChannelDecision {
        try await explain(channel: channel, user: user, isParticipant: isParticipant).decision
    }

    /// ``authorize(channel:user:isParticipant:)`` with every step shown.
    public func explain(
        channel: String, user: ChannelUser?, isParticipant: (_ appointmentId: Int64) async throws -> Bool
    ) async rethrows -> ChannelExplanation {
        var checks: [ChannelCheck] = []
        func answer(_ decision: ChannelDecision, match: ChannelRuleMatch? = nil, hub: PublicChannelVerdict? = nil) -> ChannelExplanation {
            ChannelExplanation(channel: channel, user: user, match: match, checks: checks, decision: decision, hub: hub)
        }
        func refuse(_ check: String, _ error: DomainError, match: ChannelRuleMatch? = nil) -> ChannelExplanation {
            checks.append(ChannelCheck(check, passed: false, error.message))
            return answer(.refused(error), match: match)
        }
        let parsed: ChannelName
        do {
            parsed = try ChannelName(parsing: channel)
        } catch {
            return refuse("name", error)
        }
        checks.append(ChannelCheck("name", passed: true, "\(channel) is a well-formed \(parsed.needsAuthorization ? (parsed.isPresence ? "presence" : "private") : "public") channel name"))
        guard parsed.needsAuthorization else {
            let verdict = publicVerdict(channel)
            let refusal = DomainError(.unknownChannel, Self.publicRefusal(channel))
            checks.append(ChannelCheck("signature", passed: false, refusal.message))
            checks.append(ChannelCheck("hub", passed: verdict.allowsSubscription, verdict.detail(for: channel)))
            return answer(.refused(refusal), match: match(channel), hub: verdict)
        }
        let found = match(channel)
        if let found { checks.append(Self.ruleCheck(found)) }
        guard let user else {
            return refuse("user", DomainError(.unauthenticated, "Subscribing to \(channel) needs a signed-in user; send a valid token."),
                          match: found)
        }
        guard let found else {
            return refuse("rule", DomainError(.unknownChannel, "No rule authorizes channel \(channel)."))
        }
        switch found.rule.kind {
        case .participant:
            let appointmentId = found.id ?? 0
            guard try await isParticipant(appointmentId) else {
                return refuse("participant", DomainError(.notParticipant, "User \(user.id) is not a participant of appointment \(appointmentId)."),
                              match: found)
            }
            checks.append(ChannelCheck("participant", passed: true, "user \(user.id) is the doctor or the patient of appointment \(appointmentId)"))
        case .user:
            guard found.id == user.id else {
                return refuse("owner", DomainError(.notParticipant, "Channel \(channel) belongs to another user than \(user.id)."), match: found)
            }
            checks.append(ChannelCheck("owner", passed: true, "the channel belongs to user \(user.id)"))
        case .tenant, .role, .lock:
            let tenantId = found.id ?? 0
            guard tenantId == user.tenantId else {
                return refuse("tenant", DomainError(
                    .wrongTenant, "Channel \(channel) belongs to tenant \(tenantId); user \(user.id) is in tenant \(user.tenantId)."
                ), match: found)
            }
            checks.append(ChannelCheck("tenant", passed: true, "user \(user.id) is in tenant \(tenantId), the channel's tenant"))
            switch found.rule.kind {
            case .role(_, let roles), .lock(_, let roles, _):
                if let refusal = Self.roleRefusal(user, roles, found) { return refuse("role", refusal, match: found) }
                checks.append(ChannelCheck("role", passed: true, "user \(user.id) is a \(user.role?.rawValue ?? "-"), a role the rule admits"))
            default:
                break
            }
        case .open:
            break
        }
        return answer(.allowed(parsed), match: found)
    }

    private static func roleRefusal(_ user: ChannelUser, _ roles: [UserRole], _ match: ChannelRuleMatch) -> DomainError? {
        if let role = user.role, roles.contains(role) { return nil }
        let actual = user.role.map { "is a \($0.rawValue)" } ?? "has no role (users.role is empty)"
        return DomainError(.wrongRole, "User \(user.id) \(actual); channel \(match.rule.pattern) (rule line \(match.rule.line)) admits "
            + roles.map(\.rawValue).joined(separator: " or ") + " only.")
    }

    private static func ruleCheck(_ match: ChannelRuleMatch) -> ChannelCheck {
        let parameters = match.orderedParameters.map { "\($0.name)=\($0.value)" }.joined(separator: ", ")
        return ChannelCheck("rule", passed: true, "line \(match.rule.line): \(match.rule.pattern) \(match.rule.kind.text)"
            + (parameters.isEmpty ? "" : " with \(parameters)"))
    }

    /// Why a public channel is not signed, and what to do instead.
    static func publicRefusal(_ channel: String) -> String {
        let lowercased = channel.lowercased()
        if lowercased.hasPrefix("private-") || lowercased.hasPrefix("presence-") {
            return "Channel \(channel) is not a private or presence channel: Pusher's prefixes are lowercase (private-, presence-), "
                + "so this name is a public channel; /broadcasting/auth signs only private- and presence- channels. "
                + "Spell the prefix in lowercase."
        }
        return "Channel \(channel) is public: subscribe to it without authorization; /broadcasting/auth signs only "
            + "private- and presence- channels."
    }
}
