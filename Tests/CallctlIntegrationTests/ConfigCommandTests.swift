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
