import CallDomain
import Foundation
import Testing

@Suite("Call policy")
struct CallDomainPolicyTests {
    typealias F = DomainFixture
    let settings = CallSettings.defaults
    let inWindow: Date
    let callId = F.callId

    init() throws {
        inWindow = try F.instant("2026-03-29T10:05:00Z")
    }

    func context(
        actor: Int64? = F.patientUserId, status: AppointmentStatus = .scheduled,
        doctor: DoctorSnapshot = F.activeDoctor, session: CallSessionSnapshot? = nil, calleeBusy: Bool = false
    ) throws -> CallFacts {
        CallFacts(
            actorUserId: actor, appointment: try F.appointment(status: status), doctor: doctor,
            openSession: session, calleeHasOtherOpenCall: calleeBusy
        )
    }

    func refusal(_ command: CallCommand, _ context: CallFacts, at now: Date? = nil, settings: CallSettings? = nil) -> DomainError? {
        do {
            let plan = try CallPolicy.decide(command, facts: context, settings: settings ?? self.settings, now: now ?? inWindow)
            Issue.record("allowed: \(plan)")
            return nil
        } catch {
            return error
        }
    }

    // MARK: - Every reason code

    @Test("unauthenticated")
    func unauthenticated() throws {
        let error = refusal(.request, try context(actor: nil))
        #expect(error == DomainError(.unauthenticated, "Acting on a call needs a signed-in user; send a valid token."))
    }

    @Test("not_participant: a restricted patient, the wrong side of the call; a stranger gets not_found, as for a missing appointment")
    func notParticipant() throws {
        #expect(refusal(.request, try context(actor: F.strangerUserId)) == DomainError(.notFound, "Appointment 42 does not exist."))
        #expect(refusal(.request, try context(), settings: CallSettings(requestRestrictedToDoctor: true))
            == DomainError(.notParticipant, "Only the doctor may start a call on appointment 42 (policy.request_doctor_only is on)."))
        let ringing = try F.session(.ringing)
        for command in [CallCommand.accept(callId: callId), .decline(callId: callId)] {
            #expect(refusal(command, try context(actor: F.doctorUserId, session: ringing))?.reason == .notParticipant)
        }
        #expect(refusal(.cancel(callId: callId), try context(actor: F.patientUserId, session: ringing))
            == DomainError(.notParticipant, "Only the caller may cancel call a1b2c3d4-e5f6-4708-890a-1b2c3d4e5f60; the callee can decline it."))
        #expect(refusal(.end(callId: callId), try context(actor: F.strangerUserId, session: try F.session(.inCall)))?.reason == .notFound)
    }

    @Test("invalid_transition: a callId that is not the open call, and a step the machine refuses")
    func invalidTransition() throws {
        #expect(refusal(.accept(callId: callId), try context())
            == DomainError(.invalidTransition, "Call a1b2c3d4-e5f6-4708-890a-1b2c3d4e5f60 is not the current call of appointment 42; it has no open call."))
        let other = try F.session(.ringing, id: F.otherCallId)
        #expect(refusal(.accept(callId: callId), try context(session: other))
            == DomainError(.invalidTransition, "Call a1b2c3d4-e5f6-4708-890a-1b2c3d4e5f60 is not the current call of appointment 42; its open call is 00000000-0000-4000-8000-000000000001."))
        #expect(refusal(.started(callId: callId), try context(session: try F.session(.ringing)))?.reason == .invalidTransition)
        #expect(refusal(.heartbeat(callId: callId), try context(session: try F.session(.accepted)))?.reason == .invalidTransition)
        #expect(refusal(.accept(callId: callId), try context(session: try F.session(.accepted)))?.reason == .invalidTransition)
    }

    @Test("invalid_status for every status that allows no calls", arguments: [AppointmentStatus.completed, .noShow, .cancelled, .rescheduled])
    func invalidStatus(status: AppointmentStatus) throws {
        #expect(refusal(.request, try context(status: status)) == DomainError(
            .invalidStatus,
            "Appointment 42 is \(status.rawValue); calls are possible only while it is scheduled or in_progress."
        ))
        #expect(refusal(.accept(callId: callId), try context(status: status, session: try F.session(.ringing)))?.reason == .invalidStatus)
    }

    @Test("doctor_inactive for inactive and suspended doctors", arguments: [DoctorStatus.inactive, .suspended])
    func doctorInactive(status: DoctorStatus) throws {
        #expect(refusal(.request, try context(doctor: DoctorSnapshot(status: status))) == DomainError(
            .doctorInactive,
            "The doctor of appointment 42 is \(status.rawValue); calls are refused until the doctor is active again."
        ))
    }

    @Test("license_expired the day after the license's last day")
    func licenseExpired() throws {
        let expired = DoctorSnapshot(status: .active, licenseValidUntil: CalendarDay(year: 2026, month: 3, day: 28))
        #expect(refusal(.request, try context(doctor: expired)) == DomainError(
            .licenseExpired,
            "The doctor's license was valid through 2026-03-28 (UTC) and has expired; calls are refused until it is renewed."
        ))
        let lastDay = DoctorSnapshot(status: .active, licenseValidUntil: CalendarDay(year: 2026, month: 3, day: 29))
        #expect(try CallPolicy.decide(.request, facts: try context(doctor: lastDay), settings: settings, now: inWindow).audit == .request)
        #expect(try CallPolicy.decide(.request, facts: try context(doctor: DoctorSnapshot(status: .active)), settings: settings, now: inWindow).audit == .request)
    }

    @Test("too_early and too_late at the window edges")
    func window() throws {
        let early = try F.instant("2026-03-29T09:49:59Z")
        let late = try F.instant("2026-03-29T10:45:01Z")
        #expect(refusal(.request, try context(), at: early) == DomainError(
            .tooEarly, "Calls for appointment 42 open at 2026-03-29T09:50:00.000Z; try again then."
        ))
        #expect(refusal(.request, try context(), at: late) == DomainError(
            .tooLate, "Calls for appointment 42 closed at 2026-03-29T10:45:00.000Z; book a new appointment."
        ))
        #expect(refusal(.accept(callId: callId), try context(session: try F.session(.ringing)), at: late)?.reason == .tooLate)
        #expect(refusal(.started(callId: callId), try context(session: try F.session(.accepted)), at: late)?.reason == .tooLate)
        for edge in ["2026-03-29T09:50:00Z", "2026-03-29T10:45:00Z"] {
            #expect(try CallPolicy.decide(.request, facts: try context(), settings: settings, now: try F.instant(edge)).audit == .request)
        }
    }

    @Test("busy when the appointment or the callee already has an open call")
    func busy() throws {
        #expect(refusal(.request, try context(session: try F.session(.inCall))) == DomainError(
            .busy, "Appointment 42 already has an open call (in_call); join it or wait for it to end."
        ))
        #expect(refusal(.request, try context(calleeBusy: true)) == DomainError(
            .busy, "User 10 is in another call; try again when it ends."
        ))
    }

    // MARK: - Order of checks

    @Test("each check wins over the ones after it")
    func order() throws {
        let suspended = DoctorSnapshot(status: .suspended, licenseValidUntil: CalendarDay(year: 2020, month: 1, day: 1))
        let expired = DoctorSnapshot(status: .active, licenseValidUntil: CalendarDay(year: 2020, month: 1, day: 1))
        let early = try F.instant("2026-03-29T08:00:00Z")
        let inCall = try F.session(.inCall)
        #expect(refusal(.request, try context(actor: nil, status: .completed, doctor: suspended), at: early)?.reason == .unauthenticated)
        #expect(refusal(.request, try context(actor: F.strangerUserId, status: .completed, doctor: suspended), at: early)?.reason == .notFound)
        #expect(refusal(.accept(callId: F.otherCallId), try context(status: .completed, doctor: suspended, session: try F.session(.ringing)), at: early)?.reason == .invalidTransition)
        #expect(refusal(.request, try context(status: .completed, doctor: suspended, session: inCall), at: early)?.reason == .invalidStatus)
        #expect(refusal(.request, try context(doctor: suspended, session: inCall), at: early)?.reason == .doctorInactive)
        #expect(refusal(.request, try context(doctor: expired, session: inCall), at: early)?.reason == .licenseExpired)
        #expect(refusal(.request, try context(session: inCall, calleeBusy: true), at: early)?.reason == .tooEarly)
        #expect(refusal(.request, try context(session: inCall, calleeBusy: true))?.reason == .busy)
    }

    // MARK: - Plans

    @Test("request: the other participant is the callee")
    func requestPlan() throws {
        let byPatient = try CallPolicy.decide(.request, facts: try context(), settings: settings, now: inWindow)
        #expect(byPatient == CallPlan(
            actorRole: .patient, session: .create(callerUserId: F.patientUserId, calleeUserId: F.doctorUserId),
            appointment: nil, audit: .request, event: .requested
        ))
        let restricted = CallSettings(requestRestrictedToDoctor: true)
        let byDoctor = try CallPolicy.decide(.request, facts: try context(actor: F.doctorUserId), settings: restricted, now: inWindow)
        #expect(byDoctor.session == .create(callerUserId: F.doctorUserId, calleeUserId: F.patientUserId))
        #expect(byDoctor.actorRole == .doctor)
    }

    @Test("accept, decline and cancel plans")
    func answerPlans() throws {
        let ringing = try context(session: try F.session(.ringing))
        let accept = try CallPolicy.decide(.accept(callId: callId), facts: ringing, settings: settings, now: inWindow)
        #expect(accept == CallPlan(
            actorRole: .patient, session: .update(try CallState.ringing.applying(.accept)),
            appointment: nil, audit: .accept, event: .accepted
        ))
        let decline = try CallPolicy.decide(.decline(callId: callId), facts: ringing, settings: settings, now: inWindow)
        #expect(decline.session == .update(try CallState.ringing.applying(.decline)))
        #expect((decline.audit, decline.event) == (.decline, .declined))
        var byDoctor = ringing
        byDoctor.actorUserId = F.doctorUserId
        let cancel = try CallPolicy.decide(.cancel(callId: callId), facts: byDoctor, settings: settings, now: inWindow)
        #expect(cancel.session == .update(try CallState.ringing.applying(.cancel)))
        #expect((cancel.audit, cancel.event, cancel.actorRole) == (.cancel, .cancelled, .doctor))
    }

    @Test("the first started starts the appointment; a repeat does not")
    func startedPlans() throws {
        let first = try CallPolicy.decide(.started(callId: callId), facts: try context(session: try F.session(.accepted)), settings: settings, now: inWindow)
        #expect(first.appointment == .start)
        #expect(first.session == .update(try CallState.accepted.applying(.started)))
        #expect((first.audit, first.event) == (.join, .started))
        let second = try CallPolicy.decide(
            .started(callId: callId), facts: try context(actor: F.doctorUserId, status: .inProgress, session: try F.session(.inCall)),
            settings: settings, now: inWindow
        )
        #expect(second.appointment == nil)
        #expect((second.audit, second.event) == (.join, .started))
        let reconnect = try CallPolicy.decide(.started(callId: callId), facts: try context(status: .inProgress, session: try F.session(.accepted)), settings: settings, now: inWindow)
        #expect(reconnect.appointment == nil)
    }

    @Test("heartbeat writes no audit row and publishes nothing")
    func heartbeatPlan() throws {
        let plan = try CallPolicy.decide(.heartbeat(callId: callId), facts: try context(status: .inProgress, session: try F.session(.inCall)), settings: settings, now: inWindow)
        #expect(plan == CallPlan(
            actorRole: .patient, session: .update(try CallState.inCall.applying(.heartbeat)),
            appointment: nil, audit: nil, event: nil
        ))
    }

    @Test("end completes an appointment in progress, not a scheduled one")
    func endPlans() throws {
        let connected = try CallPolicy.decide(.end(callId: callId), facts: try context(status: .inProgress, session: try F.session(.inCall)), settings: settings, now: inWindow)
        #expect(connected.appointment == .complete)
        #expect(connected.session == .update(try CallState.inCall.applying(.end)))
        #expect((connected.audit, connected.event) == (.leave, .ended))
        let neverConnected = try CallPolicy.decide(.end(callId: callId), facts: try context(session: try F.session(.accepted)), settings: settings, now: inWindow)
        #expect(neverConnected.appointment == nil)
    }

    @Test("a running call may finish after its window, its doctor's suspension and its license's expiry")
    func runningCallFinishes() throws {
        let late = try F.instant("2026-03-29T12:00:00Z")
        let suspended = DoctorSnapshot(status: .suspended, licenseValidUntil: CalendarDay(year: 2026, month: 3, day: 1))
        let running = try context(status: .inProgress, doctor: suspended, session: try F.session(.inCall))
        for command in [CallCommand.heartbeat(callId: callId), .started(callId: callId), .end(callId: callId)] {
            #expect(throws: Never.self) { try CallPolicy.decide(command, facts: running, settings: settings, now: late) }
        }
        let ringing = try context(doctor: suspended, session: try F.session(.ringing))
        #expect(throws: Never.self) { try CallPolicy.decide(.decline(callId: callId), facts: ringing, settings: settings, now: late) }
        var byCaller = ringing
        byCaller.actorUserId = F.doctorUserId
        #expect(throws: Never.self) { try CallPolicy.decide(.cancel(callId: callId), facts: byCaller, settings: settings, now: late) }
    }

    @Test("participants, counterparts and the scheduled end")
    func participants() throws {
        let appointment = try F.appointment()
        #expect(appointment.role(of: F.doctorUserId) == .doctor)
        #expect(appointment.role(of: F.patientUserId) == .patient)
        #expect(appointment.role(of: F.strangerUserId) == nil)
        #expect(appointment.counterpart(of: F.doctorUserId) == F.patientUserId)
        #expect(appointment.counterpart(of: F.patientUserId) == F.doctorUserId)
        #expect(appointment.counterpart(of: F.strangerUserId) == nil)
        #expect(appointment.scheduledEnd == (try F.instant("2026-03-29T10:30:00Z")))
    }

    @Test("commands name their call and action")
    func commands() {
        #expect(CallCommand.request.callId == nil && CallCommand.request.action == nil)
        #expect(CallCommand.end(callId: callId).callId == callId)
        #expect(CallCommand.end(callId: callId).action == .end)
        #expect(CallCommand.decline(callId: callId).action == .decline)
    }
}
