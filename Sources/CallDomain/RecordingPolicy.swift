import Foundation

/// A participant's recording command (docs/design.md, "Recordings").
public enum RecordingCommand: Sendable, Equatable {
    /// Grants (`true`) or withdraws (`false`) the actor's consent to record the call.
    case consent(granted: Bool)
    /// Starts recording.
    case start
    /// Stops recording.
    case stop
}

/// What the recording rules decide from: the call's facts, each participant's consent to
/// record this call, and whether it is being recorded.
public struct RecordingFacts: Sendable, Equatable {
    /// The appointment, the open session and the actor.
    public var call: CallFacts
    /// Consent by `users.id`; absent when never given.
    public var consents: [Int64: Bool]
    /// Since when the open session is recorded; nil when it is not.
    public var recordingSince: Date?

    /// Creates the facts.
    public init(call: CallFacts, consents: [Int64: Bool] = [:], recordingSince: Date? = nil) {
        self.call = call
        self.consents = consents
        self.recordingSince = recordingSince
    }
}

/// A start or a stop of the recording.
public enum RecordingChange: Sendable, Equatable {
    case start
    case stop(RecordingStopReason)
}

/// What a recording command writes, in one transaction with its audit rows and events.
public struct RecordingPlan: Sendable, Equatable {
    /// The actor's role on the appointment.
    public let role: ParticipantRole
    /// The actor's new consent, when the command sets one.
    public let consent: Bool?
    /// The recording's change, if any.
    public let recording: RecordingChange?

    /// Creates a plan; ``RecordingPolicy`` is the only place that decides one, other modules
    /// build them only as test fixtures.
    public init(role: ParticipantRole, consent: Bool?, recording: RecordingChange?) {
        self.role = role
        self.consent = consent
        self.recording = recording
    }

    /// The audit rows, in order: the consent, then the start or stop.
    public var audits: [AuditEventType] {
        (consent == nil ? [] : [.recordingConsent]) + (recording.map { change -> [AuditEventType] in
            if case .start = change { return [.recordingStarted] }
            return [.recordingStopped]
        } ?? [])
    }
}

/// The recording rules: a participant of the open call grants or withdraws consent at any time
/// the call is open; recording starts only during `in_call` and only with both participants'
/// consent; withdrawing consent while recording stops it.
public enum RecordingPolicy {
    /// Decides `command` on call `callId`.
    /// - Throws: `DomainError`: `unauthenticated`; `not_found` (not a participant);
    ///   `invalid_transition` (not the open call, not `in_call`, already or not recording);
    ///   `consent_missing` naming whose consent is missing.
    public static func decide(_ command: RecordingCommand, callId: UUID, facts: RecordingFacts) throws(DomainError) -> RecordingPlan {
        guard let actor = facts.call.actorUserId else {
            throw DomainError(.unauthenticated, "Recording needs a signed-in participant; send a valid token.")
        }
        let appointment = facts.call.appointment
        let role = try CallPolicy.participantRole(of: actor, on: appointment)
        let call = callId.uuidString.lowercased()
        guard let session = facts.call.openSession, session.id == callId else {
            throw DomainError(.invalidTransition, "Call \(call) is not the open call of appointment \(appointment.id).")
        }
        switch command {
        case .consent(let granted):
            let stops = !granted && facts.recordingSince != nil
            return RecordingPlan(role: role, consent: granted, recording: stops ? .stop(.consentWithdrawn) : nil)
        case .start:
            guard session.state == .inCall else {
                throw DomainError(.invalidTransition, "Recording starts only during a connected call (in_call); call \(call) is \(session.state.rawValue).")
            }
            guard facts.recordingSince == nil else {
                throw DomainError(.invalidTransition, "Call \(call) is already being recorded.")
            }
            let missing = [session.callerUserId, session.calleeUserId].filter { facts.consents[$0] != true }
            guard missing.isEmpty else {
                let names = missing.map { user in "the \(appointment.role(of: user)?.rawValue ?? "participant") (user \(user))" }
                throw DomainError(.consentMissing, "Recording needs both participants' consent; missing: \(names.joined(separator: " and ")). "
                                  + "Each grants it with POST /appointments/\(appointment.id)/call/recording/consent {\"callId\", \"granted\": true}.")
            }
            return RecordingPlan(role: role, consent: nil, recording: .start)
        case .stop:
            guard facts.recordingSince != nil else {
                throw DomainError(.invalidTransition, "Call \(call) is not being recorded.")
            }
            return RecordingPlan(role: role, consent: nil, recording: .stop(.stopped))
        }
    }

    /// The recording stop that goes with ending `session` at `now`: a call that ends while it
    /// is recorded stops its recording in the same transaction (reason `call_ended`, `by` null),
    /// whoever ends it; nil when the session is not recorded.
    public static func stopOnEnd(of session: CallSessionSnapshot, appointmentId: Int64, at now: Date) -> AppointmentRecordingStopped? {
        guard session.recordingSince != nil else { return nil }
        return AppointmentRecordingStopped(appointmentId: appointmentId, callId: session.id, by: nil, reason: .callEnded, at: now)
    }
}
