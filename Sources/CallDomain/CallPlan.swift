/// What to write when ``CallPolicy`` allows a command, all in one transaction.
public struct CallPlan: Sendable, Equatable {
    /// The role the actor plays on the appointment.
    public let actorRole: ParticipantRole
    /// The change to `call_sessions`.
    public let session: SessionChange
    /// The appointment transition to apply with it, if any (its stamps are set to `now`).
    public let appointment: AppointmentTransition?
    /// The audit row type to write, if any (nil only for heartbeats).
    public let audit: AuditEventType?
    /// The event to publish, if any (nil only for heartbeats).
    public let event: CallEventKind?

    /// Creates a plan; ``CallPolicy`` is the only place that decides one, other modules build
    /// them only as test fixtures.
    public init(
        actorRole: ParticipantRole, session: SessionChange, appointment: AppointmentTransition?,
        audit: AuditEventType?, event: CallEventKind?
    ) {
        self.actorRole = actorRole
        self.session = session
        self.appointment = appointment
        self.audit = audit
        self.event = event
    }
}

/// A change to the `call_sessions` table.
public enum SessionChange: Sendable, Equatable {
    /// Insert a new session in state `ringing` with `requested_at = now`.
    case create(callerUserId: Int64, calleeUserId: Int64)
    /// Update the open session by this step.
    case update(CallStep)
}
