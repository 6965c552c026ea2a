import Foundation

/// Decides whether a user may perform a call command on an appointment (docs/design.md
/// "Rules/Policy" and "Who may act").
///
/// Checks run in this order and the first failure is the answer:
/// 1. no actor → `unauthenticated`
/// 2. actor is neither the doctor nor the patient → `not_found`, the answer for a missing
///    appointment (ids cannot be probed); the same user as doctor and patient →
///    `invalid_status`; for `request` with `policy.request_doctor_only` on, a patient →
///    `not_participant`
/// 3. the callId is not the appointment's open session → `invalid_transition`; then the
///    callee-only (accept, decline) and caller-only (cancel) rules → `not_participant` (they need
///    the session, so they follow the callId check)
/// 4. for the commands that begin contact — request, accept, and the `started` that connects an
///    accepted call: appointment status not `scheduled`/`in_progress` → `invalid_status`;
///    doctor not active → `doctor_inactive`; license expired → `license_expired`; outside the
///    access window → `too_early` / `too_late`
/// 5. request only: the appointment has an open call, or the callee has one elsewhere → `busy`
///    (nobody is rung while in another call; the caller's own other calls do not count, so a
///    call whose cancel was lost never locks its caller out until `jobs reap` closes it)
/// 6. the call state machine → `invalid_transition`
///
/// Decline, cancel, heartbeat, end and a repeated `started` skip step 4: ending or keeping up a
/// call is never refused for the clock, status or the doctor's record, so a consultation running
/// over its window (or past midnight of the license's last day) is allowed to finish.
///
/// A `busy` refusal still writes an audit row of type ``AuditEventType/busy`` and publishes
/// ``AppointmentBusy``; every other refusal writes nothing.
public enum CallPolicy {
    /// The plan for `command`, or the refusal.
    public static func decide(
        _ command: CallCommand, facts: CallFacts, settings: CallSettings, now: Date
    ) throws(DomainError) -> CallPlan {
        let appointment = facts.appointment
        guard let actor = facts.actorUserId else {
            throw DomainError(.unauthenticated, "Acting on a call needs a signed-in user; send a valid token.")
        }
        let role = try participantRole(of: actor, on: appointment)
        guard let action = command.action, let callId = command.callId else {
            return try request(by: actor, role: role, facts: facts, settings: settings, now: now)
        }
        guard let session = facts.openSession, session.id == callId else {
            let current = facts.openSession.map { "its open call is \($0.id.uuidString.lowercased())" } ?? "it has no open call"
            throw DomainError(
                .invalidTransition,
                "Call \(callId.uuidString.lowercased()) is not the current call of appointment \(appointment.id); \(current)."
            )
        }
        try checkSide(of: actor, for: action, on: session)
        if action == .accept || (action == .started && session.state == .accepted) {
            try checkGates(facts: facts, settings: settings, now: now)
        }
        let step = try session.state.applying(action)
        // A participant's repeated `started` on a call already in_call (a retry, a reload) only
        // keeps the call alive, like a heartbeat: each participant's joining is recorded and
        // announced once.
        let repeated = action == .started && !step.connects && facts.actorHasJoined
        return CallPlan(
            actorRole: role,
            session: .update(step),
            appointment: appointmentTransition(after: step, status: appointment.status),
            audit: repeated ? nil : AuditEventType.recorded(for: action),
            event: repeated ? nil : eventKind(for: action)
        )
    }

    private static func request(
        by actor: Int64, role: ParticipantRole, facts: CallFacts, settings: CallSettings, now: Date
    ) throws(DomainError) -> CallPlan {
        let appointment = facts.appointment
        if settings.requestRestrictedToDoctor && role != .doctor {
            throw DomainError(
                .notParticipant,
                "Only the doctor may start a call on appointment \(appointment.id) (\(SettingKey.requestDoctorOnly.rawValue) is on)."
            )
        }
        try checkGates(facts: facts, settings: settings, now: now)
        if let open = facts.openSession {
            throw DomainError(
                .busy,
                "Appointment \(appointment.id) already has an open call (\(open.state.rawValue)); join it or wait for it to end."
            )
        }
        guard let callee = appointment.counterpart(of: actor) else {
            throw DomainError(.notParticipant, "User \(actor) is not a participant of appointment \(appointment.id).")
        }
        if facts.calleeHasOtherOpenCall {
            throw DomainError(.busy, "User \(callee) is in another call; try again when it ends.")
        }
        return CallPlan(
            actorRole: role, session: .create(callerUserId: actor, calleeUserId: callee),
            appointment: nil, audit: .request, event: .requested
        )
    }

    /// The actor's role. A user who is not a participant gets the same answer as for an
    /// appointment that does not exist (`not_found`), so appointment ids cannot be probed; an
    /// appointment whose doctor and patient are the same user is refused for everyone.
    static func participantRole(of actor: Int64, on appointment: AppointmentSnapshot) throws(DomainError) -> ParticipantRole {
        guard let role = appointment.role(of: actor) else { throw notFound(appointment.id) }
        guard appointment.doctorUserId != appointment.patientUserId else {
            throw DomainError(
                .invalidStatus,
                "Appointment \(appointment.id) has the same user as its doctor and its patient; correct the appointment in the application."
            )
        }
        return role
    }

    /// The answer for an appointment that does not exist, or that the actor may not know of.
    public static func notFound(_ appointmentId: Int64) -> DomainError {
        DomainError(.notFound, "Appointment \(appointmentId) does not exist.")
    }

    private static func checkSide(of actor: Int64, for action: CallAction, on session: CallSessionSnapshot) throws(DomainError) {
        let callId = session.id.uuidString.lowercased()
        switch action {
        case .accept, .decline:
            guard actor == session.calleeUserId else {
                throw DomainError(.notParticipant, "Only the callee may \(action.name) call \(callId); the caller can cancel it.")
            }
        case .cancel:
            guard actor == session.callerUserId else {
                throw DomainError(.notParticipant, "Only the caller may cancel call \(callId); the callee can decline it.")
            }
        case .started, .heartbeat, .end, .close:
            break
        }
    }

    static func checkGates(facts: CallFacts, settings: CallSettings, now: Date) throws(DomainError) {
        let appointment = facts.appointment
        guard appointment.status.allowsCalls else {
            throw DomainError(
                .invalidStatus,
                "Appointment \(appointment.id) is \(appointment.status.rawValue); "
                    + "calls are possible only while it is scheduled or in_progress."
            )
        }
        guard facts.doctor.status == .active else {
            throw DomainError(
                .doctorInactive,
                "The doctor of appointment \(appointment.id) is \(facts.doctor.status.rawValue); "
                    + "calls are refused until the doctor is active again."
            )
        }
        if facts.doctor.licenseExpired(at: now), let day = facts.doctor.licenseValidUntil {
            throw DomainError(
                .licenseExpired,
                "The doctor's license was valid through \(day) (UTC) and has expired; calls are refused until it is renewed."
            )
        }
        let window = appointment.window(settings: settings)
        let position = window.position(at: now)
        guard let refusal = position.refusal else { return }
        throw DomainError(
            refusal,
            position == .tooEarly
                ? "Calls for appointment \(appointment.id) open at \(ISOTimestamp.format(window.opensAt)); try again then."
                : "Calls for appointment \(appointment.id) closed at \(ISOTimestamp.format(window.closesAt)); book a new appointment."
        )
    }

    private static func appointmentTransition(after step: CallStep, status: AppointmentStatus) -> AppointmentTransition? {
        if step.connects && status == .scheduled { return .start }
        if let reason = step.endReason, reason.completesStartedAppointment, status == .inProgress { return .complete }
        return nil
    }

    private static func eventKind(for action: CallAction) -> CallEventKind? {
        switch action {
        case .accept: .accepted
        case .decline: .declined
        case .cancel: .cancelled
        case .started: .started
        case .heartbeat: nil
        case .end, .close: .ended
        }
    }
}
