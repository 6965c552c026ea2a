import CallDomain
import Foundation
import Testing

@Suite("Settings")
struct CallDomainSettingsTests {
    @Test("defaults")
    func defaults() {
        let settings = CallSettings.defaults
        #expect(settings.leadSeconds == 600)
        #expect(settings.graceSeconds == 900)
        #expect(settings.ringingTimeoutSeconds == 30)
        #expect(settings.connectTimeoutSeconds == 60)
        #expect(settings.heartbeatTimeoutSeconds == 90)
        #expect(settings.zombieAppointmentTimeoutSeconds == 600)
        #expect(settings.eventNamespace == #"App\Events"#)
        #expect(settings.requestRestrictedToDoctor == false)
    }

    @Test("every key has a stable dotted name, a summary and its default")
    func keys() {
        #expect(SettingKey.allCases.map(\.rawValue) == [
            "window.lead", "window.grace", "timeouts.ringing", "timeouts.connect", "timeouts.heartbeat",
            "timeouts.max_call", "timeouts.zombie_appointment", "events.namespace", "policy.request_doctor_only",
            "calls.auto_accept", "events.user_channel", "recording.retention", "channels.rules",
        ])
        for key in SettingKey.allCases {
            #expect(!key.summary.isEmpty && !key.summary.contains("\n"))
        }
        #expect(SettingKey.allCases.map(\.defaultValue) == [
            .number(600), .number(900), .number(30), .number(60), .number(90), .number(14_400), .number(600),
            .string(#"App\Events"#), .bool(false), .bool(false), .string("off"), .number(2_592_000), .string(ChannelRuleSet.defaultText),
        ])
        #expect(SettingKey.recordingRetention.allowedSeconds == 86_400...(3650 * 86_400))
        #expect(SettingKey.windowGrace.allowedSeconds == 0...86_400)
        #expect(SettingKey.ringingTimeout.allowedSeconds == 1...86_400)
        #expect(SettingKey.eventsNamespace.allowedSeconds == nil)
    }

    @Test("durations from the CLI", arguments: [
        ("15m", 900), ("90s", 90), ("1h30m", 5400), ("900", 900), (" 2h ", 7200), ("1h0m30s", 3630),
        ("0", 0), ("0s", 0), ("24h", 86_400), ("1440m", 86_400), ("1d", 86_400), ("0d12h", 43_200),
    ])
    func parseDuration(text: String, seconds: Int) throws {
        #expect(try SettingKey.windowGrace.parse(cliText: text) == .number(Double(seconds)))
    }

    @Test("negative, zero where nonsensical and absurd durations are refused with the range")
    func durationRange() {
        #expect(throws: DomainError(.validation, "window.grace must be between 0s and 24h; got -5m.")) {
            try SettingKey.windowGrace.parse(cliText: "-5m")
        }
        #expect(throws: DomainError(.validation, "timeouts.ringing must be between 1s and 24h; got 0s.")) {
            try SettingKey.ringingTimeout.parse(cliText: "0s")
        }
        #expect(throws: DomainError(.validation, "timeouts.heartbeat must be between 1s and 24h; got 24h1s.")) {
            try SettingKey.heartbeatTimeout.parse(cliText: "24h1s")
        }
        #expect(throws: DomainError(.validation, "window.lead must be between 0s and 24h; got 99999999999999999999999h.")) {
            try SettingKey.windowLead.parse(cliText: "99999999999999999999999h")
        }
    }

    @Test("text that is not a duration is refused with examples", arguments: ["", "abc", "15 m", "1.5m", "30m1h", "1h1h", "m", "15min", "+5m", "--5m", "1h1d", "2D", "1w"])
    func notADuration(text: String) {
        #expect(throws: DomainError(.validation, "window.lead takes a duration such as 900 (seconds), 90s, 15m, 1h30m or 2d; got \"\(text)\".")) {
            try SettingKey.windowLead.parse(cliText: text)
        }
    }

    @Test("namespace and flag from the CLI")
    func parseOthers() throws {
        #expect(try SettingKey.eventsNamespace.parse(cliText: #"Clinic\Broadcast\Events"#) == .string(#"Clinic\Broadcast\Events"#))
        #expect(try SettingKey.eventsNamespace.parse(cliText: "_Events2") == .string("_Events2"))
        for text in ["true", "yes", "ON"] {
            #expect(try SettingKey.requestDoctorOnly.parse(cliText: text) == .bool(true))
        }
        for text in ["false", "No", "off"] {
            #expect(try SettingKey.requestDoctorOnly.parse(cliText: text) == .bool(false))
        }
        #expect(throws: DomainError(.validation, "policy.request_doctor_only takes true or false; got \"maybe\".")) {
            try SettingKey.requestDoctorOnly.parse(cliText: "maybe")
        }
    }

    @Test("a namespace must be backslash-separated PHP names", arguments: [
        #"App\\Events"#, #"\App\Events"#, #"App\Events\"#, "App/Events", "1App", #"App\2Events"#, "", "App Events", "Äpp",
    ])
    func badNamespace(text: String) {
        #expect(throws: DomainError.self) { try SettingKey.eventsNamespace.parse(cliText: text) }
        do {
            _ = try SettingKey.eventsNamespace.validate(.string(text))
            Issue.record("validate accepted the namespace \(text.debugDescription)")
        } catch {
            #expect(error.reason == .validation)
            #expect(error.message.hasPrefix(#"events.namespace must be a PHP namespace such as App\Events"#))
            #expect(error.message.hasSuffix("got \"\(text)\"."))
        }
    }

    @Test("stored values must have the right JSON type and whole seconds")
    func validateStored() throws {
        #expect(try SettingKey.windowGrace.validate(.number(300)) == .number(300))
        #expect(throws: DomainError(.validation, "window.grace must be a JSON number of seconds; got \"15m\".")) {
            try SettingKey.windowGrace.validate(.string("15m"))
        }
        #expect(throws: DomainError(.validation, "window.grace must be a whole number of seconds; got 1.5.")) {
            try SettingKey.windowGrace.validate(.number(1.5))
        }
        #expect(throws: DomainError(.validation, "window.grace must be between 0s and 24h; got -5m.")) {
            try SettingKey.windowGrace.validate(.number(-300))
        }
        #expect(throws: DomainError(.validation, "policy.request_doctor_only must be a JSON boolean; got 1.")) {
            try SettingKey.requestDoctorOnly.validate(.number(1))
        }
        #expect(throws: DomainError(.validation, "events.namespace must be a JSON string; got true.")) {
            try SettingKey.eventsNamespace.validate(.bool(true))
        }
    }

    @Test("resolving stored rows: known keys apply, unknown and invalid ones are reported")
    func resolving() {
        let resolution = CallSettings.resolving([
            "window.grace": .number(300),
            "timeouts.ringing": .number(45),
            "events.namespace": .string(#"Clinic\Events"#),
            "policy.request_doctor_only": .bool(true),
            "window.lead": .number(-60),
            "window.colour": .string("blue"),
        ])
        #expect(resolution.settings == CallSettings(
            graceSeconds: 300, ringingTimeoutSeconds: 45, eventNamespace: #"Clinic\Events"#, requestRestrictedToDoctor: true
        ))
        #expect(resolution.problems == [
            SettingProblem(key: "window.colour", message: "Unknown setting window.colour is ignored."),
            SettingProblem(key: "window.lead", message: "window.lead must be between 0s and 24h; got -1m. Using the default, 10m."),
        ])
        #expect(CallSettings.resolving([:]) == SettingsResolution(settings: .defaults, problems: []))
    }

    @Test("each key reads back through the subscript")
    func subscriptRoundTrip() {
        let settings = CallSettings(
            leadSeconds: 1, graceSeconds: 2, ringingTimeoutSeconds: 3, connectTimeoutSeconds: 4,
            heartbeatTimeoutSeconds: 5, zombieAppointmentTimeoutSeconds: 6, eventNamespace: "E",
            requestRestrictedToDoctor: true
        )
        let stored = Dictionary(uniqueKeysWithValues: SettingKey.allCases.map { ($0.rawValue, settings[$0]) })
        #expect(CallSettings.resolving(stored).settings == settings)
    }

    @Test("format for display")
    func format() {
        #expect(SettingKey.windowGrace.format(.number(900)) == "15m")
        #expect(SettingKey.heartbeatTimeout.format(.number(90)) == "90s")
        #expect(SettingKey.windowLead.format(.number(5400)) == "1h30m")
        #expect(SettingKey.windowLead.format(.number(7200)) == "2h")
        #expect(SettingKey.windowLead.format(.number(0)) == "0s")
        #expect(SettingKey.windowLead.format(.number(1.5)) == "1.5s")
        #expect(SettingKey.eventsNamespace.format(.string(#"App\Events"#)) == #"App\Events"#)
        #expect(SettingKey.requestDoctorOnly.format(.bool(true)) == "true")
    }

    @Test("days: read in any duration, shown from two whole days")
    func days() {
        #expect(DurationText.seconds(from: "30d") == 2_592_000)
        #expect(DurationText.seconds(from: "1d12h") == 129_600)
        #expect(DurationText.seconds(from: "2d0h0m1s") == 172_801)
        #expect(DurationText.format(seconds: 86_400) == "24h")
        #expect(DurationText.format(seconds: 129_600) == "36h")
        #expect(DurationText.format(seconds: 172_800) == "2d")
        #expect(DurationText.format(seconds: 2_592_000) == "30d")
        #expect(DurationText.format(seconds: -2_592_000) == "-30d")
        #expect(DurationText.format(seconds: 172_860) == "48h1m")
        #expect(throws: DomainError(.validation, "window.lead must be between 0s and 24h; got 30d.")) {
            try SettingKey.windowLead.parse(cliText: "30d")
        }
    }

    @Test("every key's definition fills its own field")
    func definitionsFillTheirFields() {
        for key in SettingKey.allCases {
            let changed: SettingValue = switch key.defaultValue {
            case .number(let number): .number(number + 60)
            case .string: key == .userChannel ? .string("private-users") : key == .channelRules ? .string("news public\n") : .string("Changed")
            case .bool(let flag): .bool(!flag)
            }
            let resolved = CallSettings.resolving([key.rawValue: changed]).settings
            #expect(resolved[key] == changed, "\(key.rawValue)")
            for other in SettingKey.allCases where other != key {
                #expect(resolved[other] == other.defaultValue, "\(key.rawValue) must not change \(other.rawValue)")
            }
        }
    }

    @Test("DurationText formats what it parses", arguments: [0, 1, 59, 60, 90, 600, 3599, 3600, 3630, 5400, 86_400, -300,
                                                             129_600, 172_800, 172_860, 2_592_000, 31_622_400])
    func durationRoundTrip(seconds: Int) {
        #expect(DurationText.seconds(from: DurationText.format(seconds: seconds)) == seconds)
    }

    @Test("SettingValue is the bare JSON value")
    func json() throws {
        let encoder = JSONEncoder()
        let values: [SettingValue] = [.number(900), .number(1.5), .string(#"App\Events"#), .bool(true)]
        let texts = try values.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
        #expect(texts == ["900", "1.5", #""App\\Events""#, "true"])
        for (value, text) in zip(values, texts) {
            #expect(try JSONDecoder().decode(SettingValue.self, from: Data(text.utf8)) == value)
        }
        #expect(try JSONDecoder().decode(SettingValue.self, from: Data("1".utf8)) == .number(1))
        #expect(try JSONDecoder().decode(SettingValue.self, from: Data("0".utf8)) == .number(0))
        #expect(try JSONDecoder().decode(SettingValue.self, from: Data("1e3".utf8)) == .number(1000))
        #expect(throws: (any Error).self) { try JSONDecoder().decode(SettingValue.self, from: Data("null".utf8)) }
        #expect(throws: (any Error).self) { try JSONDecoder().decode(SettingValue.self, from: Data("{}".utf8)) }
    }
}
