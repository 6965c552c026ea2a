import Foundation
import Testing

@Suite("config get | set | list on the settings table", .serialized)
struct ConfigCommandTests {
    @Test("get shows the default until set overrides it; set validates and stores the JSON value")
    func getAndSet() async throws {
        let world = try JobsWorld()
        let initial = await world.run(["config", "get", "window.grace"])
        #expect(initial.status == 0, "\(initial.output)")
        #expect(initial.standardOutput.hasPrefix("window.grace = 15m\n"))
        #expect(initial.standardOutput.contains("source: default"))

        let set = await world.run(["config", "set", "window.grace", "20m"])
        #expect(set.status == 0, "\(set.output)")
        #expect(set.standardOutput == "window.grace = 20m (was 15m; default 15m)\n")
        #expect(try world.value("SELECT value::text FROM settings WHERE key = 'window.grace'") == "1200")

        let (_, json) = try await world.runJSON(["config", "get", "window.grace"])
        #expect(json["value"] as? Int == 1200)
        #expect(json["default"] as? Int == 900)
        #expect(json["overridden"] as? Bool == true)
        #expect(json["display"] as? String == "20m")

        #expect(await world.run(["config", "set", "policy.request_doctor_only", "yes"]).status == 0)
        #expect(try world.value("SELECT value::text FROM settings WHERE key = 'policy.request_doctor_only'") == "true")
        #expect(await world.run(["config", "set", "events.namespace", "Clinic\\Events"]).status == 0)
        #expect(try world.value("SELECT value #>> '{}' FROM settings WHERE key = 'events.namespace'") == "Clinic\\Events")
    }

    @Test("refused values and unknown keys exit 64 with the domain's message and write nothing")
    func refused() async throws {
        let world = try JobsWorld()
        let negative = await world.run(["config", "set", "window.grace", "-5m"])
        #expect(negative.status == 64)
        #expect(negative.standardError.contains("window.grace must be between 0s and 24h; got -5m."), "\(negative.output)")
        #expect(await world.run(["config", "set", "window.grace", "--", "-1"]).status == 64)
        let zero = await world.run(["config", "set", "timeouts.ringing", "0"])
        #expect(zero.status == 64)
        #expect(zero.standardError.contains("timeouts.ringing must be between 1s and 24h"))
        #expect(await world.run(["config", "set", "window.lead", "soon"]).status == 64)
        #expect(await world.run(["config", "set", "events.namespace", "App\\\\Events"]).status == 64)
        let unknown = await world.run(["config", "get", "window.width"])
        #expect(unknown.status == 64)
        #expect(unknown.standardError.contains("unknown setting 'window.width'"))
        #expect(await world.run(["config", "set", "window.grace"]).status == 64)
        #expect(try world.count("SELECT count(*) FROM settings") == 0)
    }

    @Test("list shows every setting with value, default and source; a bad hand-written row is ignored and explained")
    func list() async throws {
        let world = try JobsWorld()
        #expect(await world.run(["config", "set", "timeouts.heartbeat", "2m"]).status == 0)
        try world.connection.execute("""
            INSERT INTO settings (key, value) VALUES ('window.lead', '-60'), ('window.colour', '"blue"'), ('timeouts.connect', '[1]')
            """)
        let (outcome, json) = try await world.runJSON(["config", "list"])
        #expect(outcome.status == 0, "\(outcome.output)")
        let settings = try #require(json["settings"] as? [[String: Any]])
        #expect(settings.compactMap { $0["key"] as? String } == [
            "window.lead", "window.grace", "timeouts.ringing", "timeouts.connect", "timeouts.heartbeat",
            "timeouts.max_call", "timeouts.zombie_appointment", "events.namespace", "policy.request_doctor_only",
            "calls.auto_accept", "events.user_channel", "recording.retention", "channels.rules",
        ])
        let byKey = Dictionary(uniqueKeysWithValues: settings.map { ($0["key"] as? String ?? "", $0) })
        #expect(byKey["timeouts.heartbeat"]?["value"] as? Int == 120)
        #expect(byKey["timeouts.heartbeat"]?["overridden"] as? Bool == true)
        #expect(byKey["window.lead"]?["value"] as? Int == 600)
        #expect(byKey["window.lead"]?["overridden"] as? Bool == false)
        #expect((byKey["window.lead"]?["problem"] as? String)?.contains("window.lead must be between 0s and 24h") == true)
        #expect(byKey["timeouts.connect"]?["problem"] is String)
        let problems = try #require(json["problems"] as? [[String: Any]])
        #expect(Set(problems.compactMap { $0["key"] as? String }) == ["window.lead", "timeouts.connect", "window.colour"])

        let text = await world.run(["config", "list"])
        let heartbeat = text.standardOutput.split(separator: "\n").first { $0.hasPrefix("timeouts.heartbeat ") }
        #expect(heartbeat?.split(separator: " ", omittingEmptySubsequences: true).prefix(4) == ["timeouts.heartbeat", "2m", "90s", "override"])
        #expect(text.standardOutput.contains("ignored"))
        #expect(text.standardOutput.contains("Unknown setting window.colour is ignored."))

        let job = await world.run(["jobs", "no-show", "--log-format", "json"])
        #expect(job.status == 0)
        #expect(job.standardError.contains("ignoring a setting"))
    }

    @Test("--tenant: a tenant's own recording.retention, listed and removed; refused for other settings and unknown tenants; unset")
    func perTenant() async throws {
        let world = try JobsWorld()
        let tenant = try #require(try world.value("SELECT tenant_id::text FROM users WHERE id = $1", world.doctorUserId))
        let set = await world.run(["config", "set", "recording.retention", "3650d", "--tenant", tenant])
        #expect(set.status == 0, "\(set.output)")
        #expect(set.standardOutput.contains("recording.retention for tenant \(tenant) = 3650d (was the clinic-wide 30d; clinic-wide 30d)"),
                "\(set.standardOutput)")
        #expect(try world.value("SELECT value::text FROM tenant_settings WHERE key = 'recording.retention'") == "315360000")
        #expect(try world.count("SELECT count(*) FROM settings") == 0)
        let (again, change) = try await world.runJSON(["config", "set", "recording.retention", "7d", "--tenant", tenant])
        #expect(again.status == 0 && change["previous"] as? Int == 315_360_000 && change["value"] as? Int == 604_800, "\(change)")
        #expect(change["clinic_wide"] as? Int == 2_592_000 && change["tenant_id"] as? Int == Int(tenant))
        let get = await world.run(["config", "get", "recording.retention", "--tenant", tenant])
        #expect(get.standardOutput.contains("recording.retention for tenant \(tenant) = 7d (its own; clinic-wide 30d)"), "\(get.output)")
        let (_, got) = try await world.runJSON(["config", "get", "recording.retention", "--tenant", tenant])
        #expect(got["value"] as? Int == 604_800 && got["own"] as? Bool == true && got["clinic_wide"] as? Int == 2_592_000, "\(got)")

        // A hand-written invalid row of another tenant is listed as ignored, with why.
        try world.connection.execute("INSERT INTO tenant_settings (tenant_id, key, value) VALUES (999, 'recording.retention', '60')")
        let (_, listing) = try await world.runJSON(["config", "list"])
        let tenants = try #require(listing["tenants"] as? [[String: Any]], "\(listing)")
        #expect(tenants.count == 2 && tenants[0]["value"] as? Int == 604_800 && tenants[0]["display"] as? String == "7d", "\(tenants)")
        #expect(tenants[1]["tenant_id"] as? Int == 999 && tenants[1]["value"] is NSNull
                && (tenants[1]["problem"] as? String)?.contains("recording.retention must be between") == true, "\(tenants)")
        let text = await world.run(["config", "list"])
        #expect(text.standardOutput.contains("recording.retention for tenant \(tenant) = 7d"), "\(text.standardOutput)")
        #expect(text.standardOutput.contains("recording.retention for tenant 999: ignored: "))

        let other = await world.run(["config", "set", "window.grace", "20m", "--tenant", tenant])
        #expect(other.status == 64 && other.standardError.contains("window.grace is one value for every tenant; only recording.retention may differ"),
                "\(other.output)")
        let unknown = await world.run(["config", "set", "recording.retention", "7d", "--tenant", "424242"])
        #expect(unknown.status == 1 && unknown.standardError.contains("no tenant 424242 in the tenants table"), "\(unknown.output)")
        #expect(await world.run(["config", "set", "recording.retention", "7d", "--tenant", "0"]).status == 64)

        let unset = await world.run(["config", "unset", "recording.retention", "--tenant", tenant])
        #expect(unset.status == 0 && unset.standardOutput.contains("removed; the clinic-wide value applies: 30d"), "\(unset.output)")
        let fallback = await world.run(["config", "get", "recording.retention", "--tenant", tenant])
        #expect(fallback.standardOutput.contains("= 30d (the clinic-wide value; the tenant has none of its own)"), "\(fallback.output)")
        #expect(await world.run(["config", "get", "window.grace", "--tenant", tenant]).status == 64)
        #expect(await world.run(["config", "get", "recording.retention", "--tenant", "424242"]).status == 1)
        let twice = await world.run(["config", "unset", "recording.retention", "--tenant", tenant])
        #expect(twice.status == 0 && twice.standardOutput.contains("was not stored; nothing changed"), "\(twice.output)")
        #expect(try world.count("SELECT count(*) FROM tenant_settings WHERE tenant_id <> 999") == 0)
        #expect(await world.run(["config", "set", "window.grace", "20m"]).status == 0)
        let global = await world.run(["config", "unset", "window.grace"])
        #expect(global.status == 0 && global.standardOutput.contains("window.grace removed; the default applies: 15m"), "\(global.output)")
        #expect(try world.count("SELECT count(*) FROM settings") == 0)
    }

    @Test("config exits 69 when the database is down and 78 when it has no schema")
    func failures() async throws {
        let down = await InProcess.run(["config", "list"], environment: ["DATABASE_URL": try unreachableDatabaseURL()])
        #expect(down.status == 69)
        let bare = try TestDatabase()
        let unmigrated = await InProcess.run(["config", "get", "window.grace"], environment: ["DATABASE_URL": bare.connectionString])
        #expect(unmigrated.status == 78)
        #expect(unmigrated.standardError.contains("callctl migrate up"))
    }
}
