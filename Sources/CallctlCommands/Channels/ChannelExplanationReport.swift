import CallDomain

/// `channels explain --format json`.
struct ChannelExplanationJSON: Encodable {
    let channel: String
    let userId: Int64?
    let tenantId: Int64?
    @NullWhenAbsent var role: String?
    let allowed: Bool
    @NullWhenAbsent var reason: String?
    @NullWhenAbsent var message: String?
    @NullWhenAbsent var rule: ChannelRuleJSON?
    let parameters: [String: String]
    let checks: [Check]
    let source: String

    struct Check: Encodable {
        let name: String
        let passed: Bool
        let detail: String
    }

    init(_ explanation: ChannelExplanation, source: String) {
        channel = explanation.channel
        userId = explanation.user?.id
        tenantId = explanation.user?.tenantId
        role = explanation.user?.role?.rawValue
        allowed = explanation.allowed
        if !explanation.allowed, let failed = explanation.checks.last(where: { !$0.passed }) {
            message = failed.detail
            reason = explanation.hub == nil ? explanation.decision.refusal?.rawValue : "private_data"
        }
        rule = explanation.match.map { ChannelRuleJSON($0.rule) }
        parameters = explanation.match?.parameters ?? [:]
        checks = explanation.checks.map { Check(name: $0.name, passed: $0.passed, detail: $0.detail) }
        self.source = source
    }

    enum CodingKeys: String, CodingKey {
        case channel, role, allowed, reason, message, rule, parameters, checks, source
        case userId = "user_id", tenantId = "tenant_id"
    }
}

/// `channels explain`'s text.
enum ChannelExplanationText {
    static func lines(_ explanation: ChannelExplanation, source: String) -> [String] {
        var lines = ["channel \(explanation.channel)"]
        if let user = explanation.user {
            lines.append("user \(user.id): tenant \(user.tenantId), role \(user.role?.rawValue ?? "none")")
        }
        lines.append("rules: \(source)")
        if let match = explanation.match {
            lines.append("rule: line \(match.rule.line): \(match.rule.pattern) \(match.rule.kind.text)")
            let parameters = match.orderedParameters.map { "\($0.name)=\($0.value)" }
            if !parameters.isEmpty { lines.append("parameters: " + parameters.joined(separator: ", ")) }
        } else {
            lines.append("rule: none matches")
        }
        for check in explanation.checks {
            lines.append("  \(check.passed ? "ok  " : "FAIL") \(check.name): \(check.detail)")
        }
        if explanation.allowed {
            lines.append(explanation.hub == nil ? "allowed: /broadcasting/auth signs the subscription"
                                                : "allowed: the hub lets anyone subscribe (public channel)")
        } else if explanation.hub != nil {
            lines.append("refused: the hub answers pusher:subscription_error (private_data)")
        } else {
            let reason = explanation.decision.refusal?.rawValue ?? "-"
            lines.append("refused \(reason): /broadcasting/auth answers \(explanation.decision.refusal?.httpStatus ?? 403) \(reason)")
        }
        return lines
    }
}
