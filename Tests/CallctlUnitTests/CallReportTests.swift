import CallDomain
import Foundation
import Testing

@Suite("Browser reports, the callee's channel and the new settings")
struct CallReportTests {
    private func report(_ kind: String, name: String? = nil, message: String? = nil, type: String? = nil, transport: String? = nil,
                        rtt: Double? = nil, loss: Double? = nil, jitter: Double? = nil) throws(DomainError) -> CallReport {
        try CallReport(kind: kind, name: name, message: message, candidateType: type, transport: transport, rttMs: rtt,
                       packetLossPercent: loss, jitterMs: jitter)
    }

    @Test("valid reports and their audit types; poor network is loss over 5 % or RTT over 400 ms")
    func valid() throws {
        #expect(try report("error", name: "NotAllowedError").audit == .error)
        #expect(try report("ice", type: "relay", transport: "tcp") == .ice(candidateType: "relay", transport: "tcp"))
        #expect(try report("quality", rtt: 401, loss: 0, jitter: 3).isPoorNetwork)
        #expect(try report("quality", rtt: 100, loss: 5.1, jitter: 3).isPoorNetwork)
        #expect(try !report("quality", rtt: 400, loss: 5, jitter: 3).isPoorNetwork)
        #expect(CallReport.permissionErrors.contains("NotAllowedError"))
    }

    @Test("every refusal is a validation error", arguments: [
        ("video", nil, nil, nil, nil), ("error", nil, nil, nil, nil), ("error", "has space", nil, nil, nil),
        ("error", String(repeating: "n", count: 65), nil, nil, nil), ("ice", nil, nil, nil, nil), ("ice", nil, "moon", nil, nil),
        ("ice", nil, "host", "sctp", nil), ("quality", nil, nil, nil, -1.0), ("quality", nil, nil, nil, 101.0),
    ] as [(String, String?, String?, String?, Double?)])
    func refused(_ kind: String, _ name: String?, _ type: String?, _ transport: String?, _ loss: Double?) {
        #expect(throws: DomainError.self) {
            try report(kind, name: name, type: type, transport: transport, rtt: loss.map { _ in 10 }, loss: loss, jitter: loss.map { _ in 1 })
        }
        #expect(throws: DomainError.self) { try report("error", name: "x", message: String(repeating: "m", count: 257)) }
    }

    @Test("events.user_channel names the callee's channel; rings and cancellations reach it, nothing else")
    func userChannel() throws {
        #expect(CallSettings().ringChannel(for: 7) == nil, "off by default")
        #expect(CallSettings(userChannel: "private-users").ringChannel(for: 7)?.name == "private-users.7")
        #expect(CallSettings(userChannel: "private-App.Models.User").ringChannel(for: 7)?.name == "private-App.Models.User.7")
        #expect(CallSettings(userChannel: "off").ringChannel(for: 7) == nil)
        #expect(CallEventKind.allCases.filter(\.reachesCallee) == [.requested, .cancelled])
        #expect(try SettingKey.userChannel.parse(cliText: "off") == .string("off"))
        #expect(throws: DomainError.self) { try SettingKey.userChannel.parse(cliText: "private-tenant") }
        #expect(try SettingKey.autoAccept.parse(cliText: "on") == .bool(true))
        let resolved = CallSettings.resolving(["events.user_channel": .string("elsewhere"), "calls.auto_accept": .bool(true)])
        #expect(resolved.settings.userChannel == "off" && resolved.settings.autoAccept && resolved.problems.count == 1)
    }
}

@Suite("ICE advice from recorded health")
struct IceAdviceTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    private func health(_ uri: String, _ status: String, age: TimeInterval = 10, failingFor: TimeInterval? = nil) -> (String, IceServerHealth) {
        (uri, IceServerHealth(uri: uri, status: status, detail: nil, checkedAt: now - age, failingSince: failingFor.map { now - $0 }))
    }

    @Test("healthy: everything offered, no warning; never checked or stale: a warning, everything offered")
    func healthyAndUnknown() {
        let ok = IceAdvice(stun: ["stun:a"], turn: ["turn:a"], health: Dictionary(uniqueKeysWithValues: [health("turn:a", "ok")]), now: now)
        #expect(ok.turn == ["turn:a"] && ok.warning == nil)
        #expect(IceAdvice(stun: [], turn: ["turn:a"], health: [:], now: now).warning?.contains("never checked") == true)
        let stale = IceAdvice(stun: [], turn: ["turn:a"], health: Dictionary(uniqueKeysWithValues: [health("turn:a", "critical", age: 600)]), now: now)
        #expect(stale.turn == ["turn:a"] && stale.warning?.hasPrefix("relay health unknown: last checked") == true)
        #expect(IceAdvice(stun: ["stun:a"], turn: [], health: [:], now: now).warning?.contains("no relay") == true)
    }

    @Test("down: left out unless none is left; all relays down is a warning with since when")
    func down() {
        let one = IceAdvice(stun: [], turn: ["turn:a", "turn:b"],
                            health: Dictionary(uniqueKeysWithValues: [health("turn:a", "critical", failingFor: 60), health("turn:b", "ok")]), now: now)
        #expect(one.turn == ["turn:b"] && one.warning == nil)
        let all = IceAdvice(stun: [], turn: ["turn:a"], health: Dictionary(uniqueKeysWithValues: [health("turn:a", "critical", failingFor: 120)]),
                            now: now)
        #expect(all.turn == ["turn:a"] && all.warning?.hasPrefix("relay unavailable since ") == true, "\(all.warning ?? "")")
    }
}
