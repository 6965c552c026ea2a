import Foundation
import Testing

/// Channel rules as configuration: `/broadcasting/auth` with a clinic's own rules from the
/// settings table, changed while the daemon runs; `channels explain` for each rule kind;
/// `serve` refusing a bad rules file.
@Suite("channel rules: /broadcasting/auth, channels explain, serve", .serialized)
struct ChannelRulesServeTests {
    static let clinicRules = """
        private-appointments.{appointment}            participant(appointment)
        private-user-{user}-notifications             user(user)
        private-chat.general.{tenant}                 tenant(tenant)
        private-tenant-{tenant}-notifications         tenant(tenant)
        private-tenant.{tenant}.admin                 role(tenant, admin)
        presence-tenant.{tenant}.editing.{type}.{id}  lock(tenant, doctor, admin, refuse)
        """

    static func store(_ rules: String, in world: JobsWorld) throws {
        try world.connection.query("""
            INSERT INTO settings (key, value) VALUES ('channels.rules', to_jsonb($1::text))
            ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value
            """, rules)
    }

    static func admin(of tenant: Int64, in world: JobsWorld) throws -> Int64 {
        try world.connection.query("""
            INSERT INTO users (tenant_id, name, email, role) VALUES ($1, 'admin', 'admin@example.test', 'admin') RETURNING id
            """, tenant).first!.decode(Int64.self, "id")
    }

    @Test("a clinic's rules from the settings table decide /broadcasting/auth, and a change applies without a restart")
    func customRules() async throws {
        try await RouterWorld.test(prepare: { try Self.store(Self.clinicRules, in: $0) }) { s in
            let c = try ChannelAuthTests.Clinic(s)
            let admin = try Self.admin(of: c.tenant, in: s.world)
            let cases: [(channel: String, user: Int64, status: Int, reason: String?)] = [
                ("private-appointments.\(c.appointment)", s.doctor, 200, nil),
                ("private-appointments.\(c.appointment)", c.colleague, 403, "not_participant"),
                ("private-user-\(s.patient)-notifications", s.patient, 200, nil),
                ("private-user-\(s.patient)-notifications", s.doctor, 403, "not_participant"),
                ("private-chat.general.\(c.tenant)", s.patient, 200, nil),
                ("private-chat.general.\(c.tenant)", c.stranger, 403, "wrong_tenant"),
                ("private-tenant-\(c.tenant)-notifications", c.colleague, 200, nil),
                ("private-tenant.\(c.tenant).admin", admin, 200, nil),
                ("private-tenant.\(c.tenant).admin", s.doctor, 403, "wrong_role"),
                ("presence-tenant.\(c.tenant).editing.note.5", s.doctor, 200, nil),
                ("presence-tenant.\(c.tenant).editing.note.5", s.patient, 403, "wrong_role"),
                ("presence-tenant.\(c.tenant).editing.note.5", c.stranger, 403, "wrong_tenant"),
                ("private-users.\(s.doctor)", s.doctor, 403, "unknown_channel"),
                ("tenant-\(c.tenant)-notifications", s.doctor, 403, "unknown_channel"),
            ]
            for (channel, user, status, reason) in cases {
                let answer = try await c.auth(channel, as: user)
                if let reason {
                    answer.expectError(status, reason)
                } else {
                    #expect(answer.status == 200, "\(channel) as \(user): \(answer.text)")
                }
            }
            // A new rule set, stored while the daemon runs, applies within a second.
            try Self.store(Self.clinicRules + "\nprivate-users.{user} user(user)\n", in: s.world)
            try await Task.sleep(for: .milliseconds(1_200))
            #expect(try await c.auth("private-users.\(s.doctor)", as: s.doctor).status == 200)
            // A bad value written by hand: the daemon keeps the last good set and says why.
            try s.world.connection.query("UPDATE settings SET value = to_jsonb('private-x.{a} tenatn(a)'::text) WHERE key = 'channels.rules'")
            try await Task.sleep(for: .milliseconds(1_200))
            #expect(try await c.auth("private-users.\(s.doctor)", as: s.doctor).status == 200)
            #expect(s.server.standardError.contains("keeping the last good set"), "\(s.server.standardError.suffix(2000))")
            #expect(s.server.standardError.contains("unknown rule `tenatn`"), "\(s.server.standardError.suffix(2000))")
        }
    }

    @Test("channels rules set refuses a bad file before storing it; check names the line and the fix")
    func rulesCommands() async throws {
        let world = try JobsWorld()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rules-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let good = directory.appendingPathComponent("good.rules").path
        let bad = directory.appendingPathComponent("bad.rules").path
        try Self.clinicRules.write(toFile: good, atomically: true, encoding: .utf8)
        try "# clinic\nprivate-chat.{tenant} tenant(tenant)\nprivate-x.{a} tenatn(a)\n".write(toFile: bad, atomically: true, encoding: .utf8)

        let check = await world.run(["channels", "rules", "check", bad])
        #expect(check.status == 1, "\(check.output)")
        #expect(check.standardOutput.contains("line 3: unknown rule `tenatn`; the rules are participant, user, tenant, role, lock, public"),
                "\(check.output)")
        let refused = await world.run(["channels", "rules", "set", bad])
        #expect(refused.status == 1, "\(refused.output)")
        #expect(try world.count("SELECT count(*) FROM settings WHERE key = 'channels.rules'") == 0)
        let (stored, json) = try await world.runJSON(["channels", "rules", "set", good])
        #expect(stored.status == 0, "\(stored.output)")
        #expect((json["rules"] as? [[String: Any]])?.count == 6, "\(json)")
        let (shown, listing) = try await world.runJSON(["channels", "rules", "show"])
        #expect(shown.status == 0, "\(shown.output)")
        #expect(listing["source"] as? String == "setting channels.rules", "\(listing)")
        #expect((listing["rules"] as? [[String: Any]])?.last?["lock_mode"] as? String == "refuse", "\(listing)")
    }

    @Test("channels explain: the rule, the parameters and the checks for each rule kind; exit 0 allowed, 1 refused")
    func explain() async throws {
        let c = try ChannelAuthTests.Clinic(CommandClinic(world: try JobsWorld()))
        let s = (world: c.s.world, doctor: c.s.doctor, patient: c.s.patient, colleague: c.colleague, stranger: c.stranger,
                 tenant: c.tenant, appointment: c.appointment,
                 strangerTenant: try c.s.world.connection.query("SELECT tenant_id FROM users WHERE id = $1", c.stranger)
                     .first!.decode(Int64.self, "tenant_id"))
        try Self.store(Self.clinicRules + "\nnews public\n", in: s.world)
        let admin = try Self.admin(of: s.tenant, in: s.world)
        let cases: [(user: Int64, channel: String, status: Int32, rule: String?, text: String)] = [
            (s.doctor, "private-appointments.\(s.appointment)", 0, "participant(appointment)", "ok   participant: user \(s.doctor) is the doctor or the patient"),
            (s.colleague, "private-appointments.\(s.appointment)", 1, "participant(appointment)", "refused not_participant"),
            (s.patient, "private-user-\(s.doctor)-notifications", 1, "user(user)", "belongs to another user than \(s.patient)"),
            (s.stranger, "private-chat.general.\(s.tenant)", 1, "tenant(tenant)",
             "belongs to tenant \(s.tenant); user \(s.stranger) is in tenant \(s.strangerTenant)"),
            (s.doctor, "private-tenant.\(s.tenant).admin", 1, "role(tenant, admin)", "refused wrong_role"),
            (admin, "private-tenant.\(s.tenant).admin", 0, "role(tenant, admin)", "allowed: /broadcasting/auth signs"),
            (s.patient, "presence-tenant.\(s.tenant).editing.note.5", 1, "lock(tenant, doctor, admin, refuse)", "admits doctor or admin only"),
            (s.doctor, "tenant-\(s.tenant)-notifications", 1, nil, "the hub refuses tenant-\(s.tenant)-notifications"),
            (s.doctor, "news", 0, "public", "allowed: the hub lets anyone subscribe"),
            (s.doctor, "private-nothing", 1, nil, "refused unknown_channel"),
        ]
        for (user, channel, status, rule, text) in cases {
            let outcome = await s.world.run(["channels", "explain", "--user", String(user), channel])
            #expect(outcome.status == status, "\(channel) as \(user): \(outcome.output)")
            #expect(outcome.standardOutput.contains(text), "\(channel) as \(user): \(outcome.output)")
            let (jsonOutcome, json) = try await s.world.runJSON(["channels", "explain", "--user", String(user), channel])
            #expect(jsonOutcome.status == status)
            #expect(json["allowed"] as? Bool == (status == 0), "\(json)")
            #expect((json["rule"] as? [String: Any])?["rule"] as? String == rule, "\(json)")
        }
        let (_, json) = try await s.world.runJSON(["channels", "explain", "--user", String(s.patient),
                                                   "presence-tenant.\(s.tenant).editing.note.5"])
        #expect(json["parameters"] as? [String: String] == ["tenant": "\(s.tenant)", "type": "note", "id": "5"], "\(json)")
        #expect(json["reason"] as? String == "wrong_role", "\(json)")
        #expect((json["checks"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["name", "rule", "tenant", "role"], "\(json)")
        let missing = await s.world.run(["channels", "explain", "--user", "999999", "news"])
        #expect(missing.status == 1 && missing.standardError.contains("there is no user 999999"), "\(missing.output)")
    }

    @Test("the hub refuses a public channel whose private twin a rule covers, unless a public rule names it")
    func hubPublicChannels() async throws {
        let s = try ServeWorld()
        try Self.store(Self.clinicRules, in: s.world)
        try await Task.sleep(for: .milliseconds(1_200))
        let channels = ["tenant-3-notifications", "chat.general.3", "weather"]
        let before = try HubPeer.run("case_public_rules", [s.server], ["channels": channels])
        #expect(before[path: "tenant-3-notifications.event"] as? String == "pusher:subscription_error", "\(before)")
        #expect(before[path: "tenant-3-notifications.status"] as? Int == 403, "\(before)")
        #expect((before[path: "tenant-3-notifications.error"] as? String)?.contains("private-tenant-3-notifications matches line 4") == true,
                "\(before)")
        #expect((before["chat.general.3"] as? [String: Any])?["event"] as? String == "pusher:subscription_error", "\(before)")
        #expect(before[path: "weather.event"] as? String == "pusher_internal:subscription_succeeded", "\(before)")
        try Self.store(Self.clinicRules + "\ntenant-{tenant}-notifications public\n", in: s.world)
        try await Task.sleep(for: .milliseconds(1_200))
        let after = try HubPeer.run("case_public_rules", [s.server], ["channels": ["tenant-3-notifications"]])
        #expect(after[path: "tenant-3-notifications.event"] as? String == "pusher_internal:subscription_succeeded", "\(after)")
    }

    @Test("serve exits 78 on a bad rules file, naming the line and the fix")
    func serveRefusesBadRules() throws {
        let database = try TestDatabase()
        _ = try database.migrated()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID()).rules").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "news public\n\npresence-tenant.{tenant}.x lock(tenant, nurse, refuse)\n".write(toFile: path, atomically: true, encoding: .utf8)
        let ending = try ServeProcess.refusal(database, environment: ["CALLCTL_CHANNEL_RULES": path])
        #expect(ending.status == 78, "\(ending.standardError)")
        #expect(ending.standardError.contains("line 3: unknown role `nurse`; the roles are doctor, patient, admin"), "\(ending.standardError)")
    }
}

/// A migrated clinic without a daemon, for the commands.
struct CommandClinic: ClinicWorld {
    let world: JobsWorld
}
