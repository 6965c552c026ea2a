import CallDomain
import Testing

@Suite("Channels")
struct CallDomainChannelTests {
    let patient = ChannelUser(id: 20, tenantId: 1)

    func authorize(_ channel: String, user: ChannelUser?, participantOf appointments: Set<Int64> = [42]) async -> ChannelDecision {
        await ChannelRuleSet.defaults.authorize(channel: channel, user: user) { appointments.contains($0) }
    }

    @Test("names are built as the design says")
    func build() {
        #expect(ChannelName.appointment(42).name == "private-appointments.42")
        #expect(ChannelName.user(7).name == "private-users.7")
        #expect(ChannelName.laravelUser(7).name == "private-App.Models.User.7")
        #expect(ChannelName.tenant(tenantId: 3, rest: "announcements").name == "private-tenant.3.announcements")
        #expect(ChannelName.tenantEditing(tenantId: 3, type: "appointment", id: "42").name == "presence-tenant.3.editing.appointment.42")
    }

    @Test("every built name parses back to itself", arguments: [
        ChannelName.appointment(42), .user(7), .laravelUser(9_223_372_036_854_775_807), .tenant(tenantId: 3, rest: "a.b-c"),
        .tenantEditing(tenantId: 3, type: "patient_record", id: "abc-1"), .publicChannel("news"), .unknownPrivate("private-encrypted-x"),
    ])
    func roundTrip(channel: ChannelName) throws {
        #expect(try ChannelName(parsing: channel.name) == channel)
    }

    @Test("parsing kinds", arguments: [
        ("private-appointments.42", ChannelName.appointment(42)),
        ("private-appointments.042", .unknownPrivate("private-appointments.042")),
        ("private-appointments.0", .unknownPrivate("private-appointments.0")),
        ("private-appointments.-1", .unknownPrivate("private-appointments.-1")),
        ("private-appointments.42.x", .unknownPrivate("private-appointments.42.x")),
        ("private-appointments.", .unknownPrivate("private-appointments.")),
        ("private-appointments.99999999999999999999", .unknownPrivate("private-appointments.99999999999999999999")),
        ("private-tenant.3.a", .tenant(tenantId: 3, rest: "a")),
        ("private-tenant.3", .unknownPrivate("private-tenant.3")),
        ("private-tenant.3.", .unknownPrivate("private-tenant.3.")),
        ("private-tenant.x.a", .unknownPrivate("private-tenant.x.a")),
        ("presence-tenant.3.editing.note.5", .tenantEditing(tenantId: 3, type: "note", id: "5")),
        ("presence-tenant.3.editing.note", .unknownPrivate("presence-tenant.3.editing.note")),
        ("presence-tenant.3.editing.note.5.6", .unknownPrivate("presence-tenant.3.editing.note.5.6")),
        ("presence-tenant.3.viewing.note.5", .unknownPrivate("presence-tenant.3.viewing.note.5")),
        ("presence-tenant.3.editing..5", .unknownPrivate("presence-tenant.3.editing..5")),
        ("presence-lobby", .unknownPrivate("presence-lobby")),
        ("appointments.42", .publicChannel("appointments.42")),
        ("Private-users.1", .publicChannel("Private-users.1")),
    ])
    func parse(text: String, expected: ChannelName) throws {
        #expect(try ChannelName(parsing: text) == expected)
    }

    @Test("length limit is 164 characters")
    func length() throws {
        let longest = "private-tenant.1." + String(repeating: "a", count: 164 - 17)
        #expect(longest.count == 164)
        #expect(try ChannelName(parsing: longest) == .tenant(tenantId: 1, rest: String(repeating: "a", count: 147)))
        #expect(throws: DomainError(.validation, "A channel name must be 1 to 164 characters long; got 165.")) {
            try ChannelName(parsing: longest + "a")
        }
        #expect(throws: DomainError(.validation, "A channel name must be 1 to 164 characters long; got 0.")) {
            try ChannelName(parsing: "")
        }
    }

    @Test("illegal characters are refused", arguments: ["private-users.1 ", "private-users/1", "private-users.1\n", "privé", "a:b", "a#b", "a*b", "a\u{0}"])
    func illegal(text: String) {
        #expect(throws: DomainError(.validation, "Channel name \"\(text)\" contains a character Pusher does not allow; use only ASCII letters, digits and _-=@,.;")) {
            try ChannelName(parsing: text)
        }
    }

    @Test("every allowed punctuation character is accepted")
    func allowedCharacters() throws {
        #expect(try ChannelName(parsing: "a_b-c=d@e,f.g;h") == .publicChannel("a_b-c=d@e,f.g;h"))
    }

    @Test("flags")
    func flags() {
        #expect(!ChannelName.publicChannel("news").needsAuthorization)
        #expect(ChannelName.appointment(1).needsAuthorization)
        #expect(ChannelName.tenantEditing(tenantId: 1, type: "a", id: "b").isPresence)
        #expect(!ChannelName.tenant(tenantId: 1, rest: "b").isPresence)
        #expect(ChannelName.unknownPrivate("presence-x").isPresence)
    }

    @Test("allowed subscriptions")
    func allowed() async {
        #expect(await authorize("private-appointments.42", user: patient) == .allowed(.appointment(42)))
        #expect(await authorize("private-users.20", user: patient) == .allowed(.user(20)))
        #expect(await authorize("private-App.Models.User.20", user: patient) == .allowed(.laravelUser(20)))
        #expect(await authorize("private-tenant.1.news", user: patient) == .allowed(.tenant(tenantId: 1, rest: "news")))
        #expect(await authorize("presence-tenant.1.editing.note.5", user: patient) == .allowed(.tenantEditing(tenantId: 1, type: "note", id: "5")))
    }

    @Test("public channels are never signed, whatever the user: Laravel refuses them, and they need no authorization", arguments: [
        "news", "appointments.42", "PRIVATE-appointments.42", "Private-users.20", "PRIVATE-users.20", "Presence-tenant.1.editing.note.5",
        "PRESENCE-tenant.1.editing.note.5", "private_appointments.42", "privateappointments.42",
    ])
    func publicChannelsRefused(channel: String) async {
        for user in [patient, nil] {
            let decision = await authorize(channel, user: user)
            #expect(decision.refusal == .unknownChannel, "\(channel): \(decision)")
            guard case .refused(let error) = decision else { continue }
            #expect(error.message.contains("/broadcasting/auth signs only private- and presence- channels"), "\(error.message)")
            let looksPrivate = channel.lowercased().hasPrefix("private-") || channel.lowercased().hasPrefix("presence-")
            #expect(error.message.contains("lowercase") == looksPrivate, "\(error.message)")
        }
        #expect(await authorize("news", user: patient)
            == .refused(DomainError(.unknownChannel, "Channel news is public: subscribe to it without authorization; "
                                    + "/broadcasting/auth signs only private- and presence- channels.")))
    }

    @Test("refused subscriptions and their reasons")
    func refused() async {
        #expect(await authorize("private-appointments.42", user: nil)
            == .refused(DomainError(.unauthenticated, "Subscribing to private-appointments.42 needs a signed-in user; send a valid token.")))
        #expect(await authorize("private-appointments.43", user: patient)
            == .refused(DomainError(.notParticipant, "User 20 is not a participant of appointment 43.")))
        #expect(await authorize("private-users.21", user: patient)
            == .refused(DomainError(.notParticipant, "Channel private-users.21 belongs to another user than 20.")))
        #expect(await authorize("private-App.Models.User.21", user: patient).refusal == .notParticipant)
        #expect(await authorize("private-tenant.2.news", user: patient)
            == .refused(DomainError(.wrongTenant, "Channel private-tenant.2.news belongs to tenant 2; user 20 is in tenant 1.")))
        #expect(await authorize("presence-tenant.2.editing.note.5", user: patient).refusal == .wrongTenant)
        #expect(await authorize("private-secret", user: patient)
            == .refused(DomainError(.unknownChannel, "No rule authorizes channel private-secret.")))
        #expect(await authorize("private-appointments.042", user: patient).refusal == .unknownChannel)
        #expect(await authorize("private-users.1 ", user: patient).refusal == .validation)
    }

    @Test("the participant lookup is asked only for appointment channels, and its errors propagate")
    func lookup() async throws {
        struct LookupFailed: Error {}
        let decision = try await ChannelRuleSet.defaults.authorize(channel: "private-users.20", user: patient) { _ in throw LookupFailed() }
        #expect(decision == .allowed(.user(20)))
        await #expect(throws: LookupFailed.self) {
            try await ChannelRuleSet.defaults.authorize(channel: "private-appointments.42", user: patient) { _ in throw LookupFailed() }
        }
    }
}
