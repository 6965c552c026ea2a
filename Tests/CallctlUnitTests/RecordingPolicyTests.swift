import CallDomain
import Foundation
import Testing

/// Recording consent and start/stop, as ``RecordingPolicy`` decides them.
@Suite("recording rules")
struct RecordingPolicyTests {
    static let call = UUID(uuidString: "7f000001-0000-4000-8000-0000000000aa")!
    static let at = Date(timeIntervalSince1970: 1_800_000_000)

    static func facts(actor: Int64? = 1, state: CallState = .inCall, consents: [Int64: Bool] = [:], since: Date? = nil,
                      open: Bool = true) -> RecordingFacts {
        let appointment = AppointmentSnapshot(id: 42, tenantId: 1, doctorUserId: 1, patientUserId: 2, status: .inProgress,
                                              scheduledAt: at, durationMinutes: 30, startedAt: at)
        let session = CallSessionSnapshot(id: call, state: state, callerUserId: 1, calleeUserId: 2, requestedAt: at)
        return RecordingFacts(call: CallFacts(actorUserId: actor, appointment: appointment,
                                              doctor: DoctorSnapshot(status: .active), openSession: open ? session : nil),
                              consents: consents, recordingSince: since)
    }

    static func reason(_ body: () throws -> RecordingPlan) -> String {
        do {
            _ = try body()
            return "allowed"
        } catch let error as DomainError {
            return error.reason.rawValue
        } catch {
            return "\(error)"
        }
    }

    @Test("consent: either participant, at any state of the open call; withdrawing while recording stops it")
    func consent() throws {
        for state in [CallState.ringing, .accepted, .inCall] {
            #expect(try RecordingPolicy.decide(.consent(granted: true), callId: Self.call, facts: Self.facts(state: state))
                    == RecordingPlan(role: .doctor, consent: true, recording: nil))
        }
        let withdrawn = try RecordingPolicy.decide(.consent(granted: false), callId: Self.call,
                                                   facts: Self.facts(actor: 2, consents: [1: true, 2: true], since: Self.at))
        #expect(withdrawn == RecordingPlan(role: .patient, consent: false, recording: .stop(.consentWithdrawn)))
        #expect(withdrawn.audits == [.recordingConsent, .recordingStopped])
        #expect(try RecordingPolicy.decide(.consent(granted: false), callId: Self.call, facts: Self.facts()).recording == nil)
    }

    @Test("start: only in_call, only with both consents (naming whose is missing), not twice; stop only while recording")
    func startStop() throws {
        #expect(try RecordingPolicy.decide(.start, callId: Self.call, facts: Self.facts(consents: [1: true, 2: true])).recording == .start)
        do {
            _ = try RecordingPolicy.decide(.start, callId: Self.call, facts: Self.facts(consents: [1: true, 2: false]))
            Issue.record("a withdrawn consent must refuse")
        } catch {
            #expect(error.reason == .consentMissing && error.message.contains("the patient (user 2)") && !error.message.contains("user 1"))
        }
        do {
            _ = try RecordingPolicy.decide(.start, callId: Self.call, facts: Self.facts())
            Issue.record("no consent must refuse")
        } catch {
            #expect(error.message.contains("the doctor (user 1) and the patient (user 2)"))
        }
        #expect(Self.reason { try RecordingPolicy.decide(.start, callId: Self.call, facts: Self.facts(state: .accepted, consents: [1: true, 2: true])) }
                == "invalid_transition")
        #expect(Self.reason { try RecordingPolicy.decide(.start, callId: Self.call, facts: Self.facts(consents: [1: true, 2: true], since: Self.at)) }
                == "invalid_transition")
        #expect(try RecordingPolicy.decide(.stop, callId: Self.call, facts: Self.facts(actor: 2, since: Self.at)).recording == .stop(.stopped))
        #expect(Self.reason { try RecordingPolicy.decide(.stop, callId: Self.call, facts: Self.facts()) } == "invalid_transition")
    }

    @Test("who and which call: a stranger is not_found, no token unauthenticated, another or no open call invalid_transition")
    func who() {
        #expect(Self.reason { try RecordingPolicy.decide(.start, callId: Self.call, facts: Self.facts(actor: 3)) } == "not_found")
        #expect(Self.reason { try RecordingPolicy.decide(.stop, callId: Self.call, facts: Self.facts(actor: nil)) } == "unauthenticated")
        #expect(Self.reason { try RecordingPolicy.decide(.consent(granted: true), callId: UUID(), facts: Self.facts()) } == "invalid_transition")
        #expect(Self.reason { try RecordingPolicy.decide(.consent(granted: true), callId: Self.call, facts: Self.facts(open: false)) }
                == "invalid_transition")
        #expect(ReasonCode.consentMissing.httpStatus == 403)
    }
}
