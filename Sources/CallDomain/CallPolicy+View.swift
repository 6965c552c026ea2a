import Foundation

extension CallPolicy {
    /// Allows reading an appointment's call (the current session, ICE servers) to its
    /// participants only.
    /// - Throws: `unauthenticated` without an actor, `not_found` for anyone else (the answer
    ///   for a missing appointment).
    public static func authorizeView(of appointment: AppointmentSnapshot, by actor: Int64?) throws(DomainError) -> ParticipantRole {
        guard let actor else {
            throw DomainError(.unauthenticated, "Reading a call needs a signed-in user; send a valid token.")
        }
        return try participantRole(of: actor, on: appointment)
    }

    /// The event and audit row a `busy` refusal records, for `actor` on `appointmentId`.
    public static func busyEvent(appointmentId: Int64, actor: CallActor, at now: Date) -> CallEvent {
        CallEvent(AppointmentBusy(appointmentId: appointmentId, by: EventBy(id: actor.userId, role: actor.role), at: now))
    }
}
