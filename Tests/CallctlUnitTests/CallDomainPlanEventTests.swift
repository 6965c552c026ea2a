import CallDomain
import Foundation
import Testing

@Suite("Events planned by the policy")
struct CallDomainPlanEventTests {
    typealias F = DomainFixture
    let now: Date

    init() throws {
        now = try F.instant("2026-03-29T10:00:30Z")
    }

    func plan(_ command: CallCommand, actor: Int64, session: CallSessionSnapshot?) throws -> CallPlan {
        let context = CallFacts(actorUserId: actor, appointment: try F.appointment(), doctor: F.activeDoctor, openSession: session)
        return try CallPolicy.decide(command, facts: context, settings: .defaults, now: now)
    }

    @Test("request, accept, started, end and cancel plan their events with the actor")
    func events() throws {
        let doctor = CallActor(userId: F.doctorUserId, name: "Dr. Ada", role: .doctor, peerId: "doc-peer")
        let patient = CallActor(userId: F.patientUserId, name: "Pat", role: .patient, peerId: "pat-peer")
        let request = try plan(.request, actor: F.doctorUserId, session: nil)
        #expect(request.event(appointmentId: 7, callId: F.callId, actor: doctor, connectedAt: nil, at: now)
            == CallEvent(AppointmentCallRequested(appointmentId: 7, callId: F.callId,
                                                   from: EventFrom(id: F.doctorUserId, name: "Dr. Ada", role: .doctor),
                                                   peerId: "doc-peer", at: now)))
        let ringing = try F.session(.ringing)
        let accept = try plan(.accept(callId: F.callId), actor: F.patientUserId, session: ringing)
        #expect(accept.event(appointmentId: 7, callId: F.callId, actor: patient, connectedAt: nil, at: now)
            == CallEvent(AppointmentCallAccepted(appointmentId: 7, callId: F.callId, by: EventBy(id: F.patientUserId, role: .patient),
                                                 peerId: "pat-peer")))
        let cancel = try plan(.cancel(callId: F.callId), actor: F.doctorUserId, session: ringing)
        #expect(cancel.event(appointmentId: 7, callId: F.callId, actor: doctor, connectedAt: nil, at: now)
            == CallEvent(AppointmentCallCancelled(appointmentId: 7, callId: F.callId, by: EventBy(id: F.doctorUserId, role: .doctor), at: now)))
        let connectedAt = now.addingTimeInterval(-65)
        let end = try plan(.end(callId: F.callId), actor: F.patientUserId, session: try F.session(.inCall))
        #expect(end.event(appointmentId: 7, callId: F.callId, actor: patient, connectedAt: connectedAt, at: now)
            == CallEvent(AppointmentCallEnded(appointmentId: 7, callId: F.callId, reason: .hangup, connectedAt: connectedAt, at: now)))
        let heartbeat = try plan(.heartbeat(callId: F.callId), actor: F.patientUserId, session: try F.session(.inCall))
        #expect(heartbeat.event(appointmentId: 7, callId: F.callId, actor: patient, connectedAt: connectedAt, at: now) == nil)
    }

    @Test("reading a call is for participants only; anyone else gets not_found, as for a missing appointment")
    func view() throws {
        let appointment = try F.appointment()
        #expect(try CallPolicy.authorizeView(of: appointment, by: F.patientUserId) == .patient)
        #expect(throws: DomainError(.notFound, "Appointment \(appointment.id) does not exist.")) {
            try CallPolicy.authorizeView(of: appointment, by: F.strangerUserId)
        }
        #expect(throws: DomainError.self) { try CallPolicy.authorizeView(of: appointment, by: nil) }
    }
}
