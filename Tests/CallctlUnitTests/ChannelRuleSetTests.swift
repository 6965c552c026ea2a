import CallDomain
import Testing

@Suite("ChannelRules")
struct ChannelRuleSetTests {
    static let clinic = """
        # A clinic's channels, named as its Laravel app names them.
        private-appointments.{appointment}            participant(appointment)
        private-App.Models.User.{user}                user(user)
        private-user-{user}-notifications             user(user)
        private-tenant-{tenant}-notifications         tenant(tenant)
        private-chat.general.{tenant}                 tenant(tenant)
        private-tenant.{tenant}.admin                 role(tenant, admin)
        presence-tenant.{tenant}.editing.{type}.{id}  lock(tenant, doctor, admin, refuse)   # staff only
        news                                          public
        """

    let rules: ChannelRuleSet
    let doctor = ChannelUser(id: 7, tenantId: 3, role: .doctor)
    let patient = ChannelUser(id: 20, tenantId: 3, role: .patient)
    let admin = ChannelUser(id: 9, tenantId: 3, role: .admin)

    init() throws { rules = try ChannelRuleSet(parsing: Self.clinic) }

    func problems(_ text: String) -> [ChannelRulesError.Problem] {
        do {
            _ = try ChannelRuleSet(parsing: text)
            return []
        } catch {
            return error.problems
        }
    }

    @Test("a good file: every rule with its line, pattern, kind and lock mode")
    func goodFile() {
        #expect(rules.rules.map(\.line) == [2, 3, 4, 5, 6, 7, 8, 9])
        #expect(rules.rules.map(\.kind.text) == [
            "participant(appointment)", "user(user)", "user(user)", "tenant(tenant)", "tenant(tenant)", "role(tenant, admin)",
            "lock(tenant, doctor, admin, refuse)", "public",
        ])
        #expect(rules.match("presence-tenant.3.editing.note.5")?.rule.kind == .lock(tenant: "tenant", roles: [.doctor, .admin], mode: .refuse))
    }

    @Test("lockMode: the mode of a lock rule's channels, nil for any other channel or a name no rule matches")
    func lockMode() throws {
        #expect(rules.lockMode("presence-tenant.3.editing.note.5") == .refuse)
        #expect(rules.lockMode("private-tenant.3.admin") == nil)
        #expect(rules.lockMode("presence-tenant.03.editing.note.5") == nil)
        let watching = try ChannelRuleSet(parsing: "presence-doc.{tenant}.{id} lock(tenant, doctor, watch)")
        #expect(watching.lockMode("presence-doc.3.x") == .watch)
        #expect(ChannelRuleSet.defaults.lockMode("presence-tenant.3.editing.note.5") == nil)
    }

    @Test("parameter capture", arguments: [
        ("private-user-7-notifications", ["user": "7"]),
        ("private-chat.general.3", ["tenant": "3"]),
        ("presence-tenant.3.editing.patient_record.abc-1", ["tenant": "3", "type": "patient_record", "id": "abc-1"]),
        ("private-appointments.42", ["appointment": "42"]),
        ("news", [:]),
    ])
    func capture(name: String, parameters: [String: String]) {
        #expect(rules.match(name)?.parameters == parameters)
    }

    @Test("names no rule matches: an id parameter takes canonical decimals only, a parameter never a dot", arguments: [
        "private-user-07-notifications", "private-user-x-notifications", "private-chat.general.3.x", "private-chat.general.",
        "private-tenant.3.admins", "presence-tenant.3.editing.note", "presence-tenant.3.editing.note.5.6", "private-appointments.0",
    ])
    func noMatch(name: String) {
        #expect(rules.match(name) == nil)
    }

    @Test("a final * takes the rest, dots included")
    func rest() throws {
        let set = try ChannelRuleSet(parsing: "private-tenant.{tenant}.*  tenant(tenant)")
        #expect(set.match("private-tenant.3.a.b-c")?.parameters == ["tenant": "3"])
        #expect(set.match("private-tenant.3.") == nil)
    }

    @Test("each rule kind decides", arguments: [
        ("private-appointments.42", 20, nil as ReasonCode?),
        ("private-appointments.43", 20, .notParticipant),
        ("private-user-20-notifications", 20, nil),
        ("private-user-7-notifications", 20, .notParticipant),
        ("private-App.Models.User.7", 7, nil),
        ("private-chat.general.3", 20, nil),
        ("private-chat.general.4", 20, .wrongTenant),
        ("private-tenant.3.admin", 9, nil),
        ("private-tenant.3.admin", 7, .wrongRole),
        ("private-tenant.4.admin", 9, .wrongTenant),
        ("presence-tenant.3.editing.note.5", 7, nil),
        ("presence-tenant.3.editing.note.5", 20, .wrongRole),
        ("private-chat.other.3", 20, .unknownChannel),
        ("news", 20, .unknownChannel),
    ])
    func kinds(channel: String, userId: Int64, refusal: ReasonCode?) async {
        let user = [doctor, patient, admin].first { $0.id == userId }
        let decision = await rules.authorize(channel: channel, user: user) { $0 == 42 }
        #expect(decision.refusal == refusal, "\(channel) for \(userId): \(decision)")
    }

    @Test("a role refusal names the user's role and the roles admitted")
    func roleMessage() async {
        let decision = await rules.authorize(channel: "presence-tenant.3.editing.note.5", user: patient) { _ in false }
        #expect(decision == .refused(DomainError(.wrongRole, "User 20 is a patient; channel presence-tenant.{tenant}.editing.{type}.{id} "
            + "(rule line 8) admits doctor or admin only.")))
        let roleless = ChannelUser(id: 21, tenantId: 3)
        #expect(await rules.authorize(channel: "private-tenant.3.admin", user: roleless) { _ in false }.refusal == .wrongRole)
    }

    @Test("public names: allowed by a public rule or when no rule concerns them; refused when their private twin matches a rule")
    func publicNames() throws {
        #expect(rules.publicVerdict("news") == .allowed(rules.rules[7]))
        #expect(rules.publicVerdict("weather") == .allowed(nil))
        #expect(rules.publicVerdict("tenant-3-notifications") == .carriesPrivateData(twin: "private-tenant-3-notifications", rule: rules.rules[3]))
        #expect(rules.publicVerdict("chat.general.3") == .carriesPrivateData(twin: "private-chat.general.3", rule: rules.rules[4]))
        #expect(rules.publicVerdict("tenant.3.editing.note.5") == .carriesPrivateData(twin: "presence-tenant.3.editing.note.5", rule: rules.rules[6]))
        let allowed = try ChannelRuleSet(parsing: Self.clinic + "\ntenant-{tenant}-notifications public")
        #expect(allowed.publicVerdict("tenant-3-notifications") == .allowed(allowed.rules[8]))
    }

    @Test("bad lines: each error names its line and the fix", arguments: [
        ("news public\nprivate-x.{a} tenatn(a)", 2, "unknown rule `tenatn`; the rules are participant, user, tenant, role, lock, public"),
        ("private-x.{a} tenant(b)", 1, "tenant(b) names no parameter of `private-x.{a}`; its parameters are a"),
        ("private-x.{a}.{a} tenant(a)", 1, "`private-x.{a}.{a}` declares {a} twice; give each parameter its own name"),
        ("private-x/{a} tenant(a)", 1, "`private-x/{a}` holds `/`, which Pusher does not allow"),
        ("private-x.{} tenant(a)", 1, "`private-x.{}` has an empty parameter {}; name it, e.g. {tenant}"),
        ("private-x.{a}{b} tenant(a)", 1, "side by side"),
        ("private-x.{a tenant(a)", 1, "never closes it"),
        ("\n\nprivate-x.{a} lock(a, doctor, refuse)", 3, "lock needs a presence- channel"),
        ("presence-x.{a} lock(a, doctor)", 1, "lock ends with what a second user gets, refuse or watch"),
        ("presence-x.{a} lock(a, refuse)", 1, "name at least one role"),
        ("private-x.{a} role(a, nurse)", 1, "unknown role `nurse`; the roles are doctor, patient, admin"),
        ("private-x.{a} role(a, admin, admin)", 1, "role admin is named twice"),
        ("private-x.{a}", 1, "has no rule"),
        ("chat.{tenant} tenant(tenant)", 1, "write private-chat.{tenant}, or `public` if anyone may read it"),
        ("private-news public", 1, "public applies to names without a private-/presence- prefix"),
        ("private-x.* tenant(a)", 1, "names no parameter"),
        ("private-x.*.y tenant(a)", 1, "* may only end a pattern"),
        ("private-x.{a} user(a, b)", 1, "user takes one parameter"),
    ])
    func badLines(text: String, line: Int, fix: String) {
        let found = problems(text)
        #expect(found.count == 1, "\(found)")
        #expect(found.first?.line == line, "\(found)")
        #expect(found.first?.message.contains(fix) == true, "\(found.first?.message ?? "-")")
    }

    @Test("bounds: lines of at most 512 bytes, at most 200 rules")
    func bounds() {
        #expect(problems("news public\n# " + String(repeating: "x", count: 600)).first?.line == 2)
        let many = (1...201).map { "news\($0) public" }.joined(separator: "\n")
        #expect(problems(many).map(\.line) == [201])
        #expect(problems((1...200).map { "news\($0) public" }.joined(separator: "\n")).isEmpty)
    }

    @Test("ambiguous rules are refused with both lines and a name they share", arguments: [
        ("private-a.{x} tenant(x)\nprivate-a.{y} user(y)", "line 1's `private-a.{x}` both match private-a.0"),
        ("private-a.{x}.b tenant(x)\nprivate-a.{y}.{z} user(y)", "both match private-a.0.b"),
        ("private-tenant.{t}.* tenant(t)\nprivate-tenant.{t}.admin role(t, admin)", "both match private-tenant.0.admin"),
        ("news public\nnews public", "both match news"),
    ])
    func ambiguous(text: String, message: String) {
        let found = problems(text)
        #expect(found.map(\.line) == [2], "\(found)")
        #expect(found.first?.message.contains(message) == true, "\(found.first?.message ?? "-")")
    }

    @Test("patterns that cannot share a name load together")
    func distinct() throws {
        _ = try ChannelRuleSet(parsing: "private-a.{x} tenant(x)\nprivate-a.{x}.b tenant(x)\nprivate-ab.{x} user(x)\nprivate-a.x.{y} user(y)")
        _ = try ChannelRuleSet(parsing: "private-user-{u}-notifications user(u)\nprivate-users.{u} user(u)")
        // An id parameter takes digits only, so these two cannot share a name.
        _ = try ChannelRuleSet(parsing: "private-a.{x}.b tenant(x)\nprivate-a.1.{y} tenant(y)")
    }

    @Test("the default set is today's table")
    func defaults() async {
        let user = ChannelUser(id: 20, tenantId: 1)
        let cases: [(String, ReasonCode?)] = [
            ("private-appointments.42", nil), ("private-appointments.43", .notParticipant), ("private-appointments.042", .unknownChannel),
            ("private-users.20", nil), ("private-users.21", .notParticipant), ("private-App.Models.User.20", nil),
            ("private-tenant.1.news", nil), ("private-tenant.1.a.b", nil), ("private-tenant.2.news", .wrongTenant),
            ("private-tenant.1", .unknownChannel), ("presence-tenant.1.editing.note.5", nil),
            ("presence-tenant.2.editing.note.5", .wrongTenant), ("presence-tenant.1.editing.note.5.6", .unknownChannel),
            ("presence-tenant.1.viewing.note.5", .unknownChannel), ("presence-lobby", .unknownChannel), ("news", .unknownChannel),
            ("private-users.1 ", .validation),
        ]
        for (channel, refusal) in cases {
            let decision = await ChannelRuleSet.defaults.authorize(channel: channel, user: user) { $0 == 42 }
            #expect(decision.refusal == refusal, "\(channel): \(decision)")
        }
        #expect(await ChannelRuleSet.defaults.authorize(channel: "private-tenant.1", user: nil) { _ in true }.refusal == .unauthenticated)
    }

    @Test("the explanation names the rule, the parameters and each check")
    func explanation() async {
        let explanation = await rules.explain(channel: "private-chat.general.4", user: patient) { _ in false }
        #expect(explanation.match?.rule.line == 6)
        #expect(explanation.match?.parameters == ["tenant": "4"])
        #expect(explanation.checks.map(\.name) == ["name", "rule", "tenant"])
        #expect(explanation.checks.map(\.passed) == [true, true, false])
        #expect(explanation.checks.last?.detail == "Channel private-chat.general.4 belongs to tenant 4; user 20 is in tenant 3.")
        #expect(!explanation.allowed)
        let hub = await rules.explain(channel: "chat.general.3", user: patient) { _ in false }
        #expect(hub.checks.map(\.name) == ["name", "signature", "hub"])
        #expect(!hub.allowed)
        #expect(await rules.explain(channel: "news", user: patient) { _ in false }.allowed)
    }
}
