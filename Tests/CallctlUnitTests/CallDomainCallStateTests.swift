import CallDomain
import Testing

@Suite("Call session machine")
struct CallDomainCallStateTests {
    struct Legal: Sendable, CustomTestStringConvertible {
        let from: CallState
        let action: CallAction
        let to: CallState
        let reason: EndReason?
        let stamps: Set<CallStamp>
        var testDescription: String { "\(from.rawValue) + \(action.name) → \(to.rawValue)" }
    }

    static let allActions: [CallAction] =
        [.accept, .decline, .cancel, .started, .heartbeat, .end] + EndReason.allCases.map { .close($0) }

    static let legal: [Legal] = [
        Legal(from: .ringing, action: .accept, to: .accepted, reason: nil, stamps: [.acceptedAt]),
        Legal(from: .ringing, action: .decline, to: .ended, reason: .declined, stamps: [.endedAt]),
        Legal(from: .ringing, action: .cancel, to: .ended, reason: .cancelled, stamps: [.endedAt]),
        Legal(from: .accepted, action: .started, to: .inCall, reason: nil, stamps: [.connectedAt]),
        Legal(from: .inCall, action: .started, to: .inCall, reason: nil, stamps: [.lastHeartbeatAt]),
        Legal(from: .inCall, action: .heartbeat, to: .inCall, reason: nil, stamps: [.lastHeartbeatAt]),
        Legal(from: .accepted, action: .end, to: .ended, reason: .hangup, stamps: [.endedAt]),
        Legal(from: .inCall, action: .end, to: .ended, reason: .hangup, stamps: [.endedAt]),
    ] + [CallState.ringing, .accepted, .inCall].flatMap { state in
        EndReason.allCases.map { Legal(from: state, action: .close($0), to: .ended, reason: $0, stamps: [.endedAt]) }
    }

    @Test("raw values match the schema")
    func rawValues() {
        #expect(CallState.allCases.map(\.rawValue) == ["ringing", "accepted", "in_call", "ended"])
        #expect(EndReason.allCases.map(\.rawValue) == [
            "hangup", "declined", "cancelled", "timeout_no_answer", "connect_timeout", "heartbeat_lost", "max_duration",
            "window_closed", "operator", "error",
        ])
        #expect(CallStamp.allCases.map(\.rawValue) == ["accepted_at", "connected_at", "ended_at", "last_heartbeat_at"])
        #expect(CallState.allCases.filter(\.isOpen) == [.ringing, .accepted, .inCall])
    }

    @Test("every legal step", arguments: legal)
    func legalStep(_ expected: Legal) throws {
        let step = try expected.from.applying(expected.action)
        #expect(step.from == expected.from)
        #expect(step.to == expected.to)
        #expect(step.endReason == expected.reason)
        #expect(step.stamps == expected.stamps)
        #expect(step.connects == (expected.from == .accepted && expected.action == .started))
    }

    @Test("every other (state, action) pair is invalid_transition")
    func illegalSteps() {
        var refused: [String] = []
        for state in CallState.allCases {
            for action in Self.allActions
            where !Self.legal.contains(where: { $0.from == state && $0.action == action }) {
                do {
                    let step = try state.applying(action)
                    Issue.record("\(state.rawValue) + \(action.name) was allowed: \(step)")
                } catch {
                    #expect(error.reason == .invalidTransition)
                    refused.append("\(state.rawValue)+\(action.name)")
                }
            }
        }
        // 4 states × 16 actions, minus the 8 named steps and 3 × 10 system closes.
        #expect(refused.count == 4 * 16 - 8 - 30)
        #expect(refused.contains("ringing+started"))
        #expect(refused.contains("ringing+end"))
        #expect(refused.contains("accepted+heartbeat"))
        #expect(refused.contains("accepted+cancel"))
        #expect(refused.contains("in_call+accept"))
        #expect(refused.contains("ended+close(error)"))
    }

    @Test("the refusal says what to do")
    func messages() {
        #expect(throws: DomainError(.invalidTransition, "A call that is ringing cannot take started; the callee must accept, or the caller cancel, first.")) {
            try CallState.ringing.applying(.started)
        }
        #expect(throws: DomainError(.invalidTransition, "A call that is ended cannot take end; it is over, request a new call instead.")) {
            try CallState.ended.applying(.end)
        }
    }

    @Test("only a hang-up and a lost heartbeat complete a started appointment")
    func completingReasons() {
        #expect(EndReason.allCases.filter(\.completesStartedAppointment) == [.hangup, .heartbeatLost, .maxDuration])
    }
}
