import Foundation

/// Who acted, as the events name them.
public struct CallActor: Sendable, Equatable, Hashable {
    /// `users.id`.
    public let userId: Int64
    /// `users.name` (only ``AppointmentCallRequested`` carries it).
    public let name: String
    /// The role the user plays on the appointment.
    public let role: ParticipantRole
    /// The PeerJS id the participant sent with the command, if any.
    public let peerId: String?

    /// Creates the actor.
    public init(userId: Int64, name: String, role: ParticipantRole, peerId: String?) {
        self.userId = userId
        self.name = name
        self.role = role
        self.peerId = peerId
    }
}

extension CallPlan {
    /// The event this plan publishes for call `callId` of `appointmentId`, or nil when it
    /// publishes none (heartbeats; an ended event without an ending step cannot be planned).
    /// `connectedAt` is the session's before the step (for the
    /// ended event's duration).
    public func event(appointmentId: Int64, callId: UUID, actor: CallActor, connectedAt: Date?, at now: Date) -> CallEvent? {
        guard let event else { return nil }
        let by = EventBy(id: actor.userId, role: actor.role)
        switch event {
        case .requested:
            return CallEvent(AppointmentCallRequested(
                appointmentId: appointmentId, callId: callId,
                from: EventFrom(id: actor.userId, name: actor.name, role: actor.role), peerId: actor.peerId, at: now))
        case .accepted:
            return CallEvent(AppointmentCallAccepted(appointmentId: appointmentId, callId: callId, by: by, peerId: actor.peerId))
        case .started:
            return CallEvent(AppointmentCallStarted(appointmentId: appointmentId, callId: callId, who: EventWho(id: actor.userId), at: now))
        case .ended:
            guard case .update(let step) = session, let reason = step.endReason else { return nil }
            return CallEvent(AppointmentCallEnded(appointmentId: appointmentId, callId: callId, reason: reason,
                                               connectedAt: connectedAt, at: now))
        case .cancelled:
            return CallEvent(AppointmentCallCancelled(appointmentId: appointmentId, callId: callId, by: by, at: now))
        case .declined:
            return CallEvent(AppointmentCallDeclined(appointmentId: appointmentId, callId: callId, by: by, at: now))
        case .busy:
            return CallEvent(AppointmentBusy(appointmentId: appointmentId, by: by, at: now))
        case .noShow:
            return CallEvent(AppointmentNoShow(appointmentId: appointmentId, at: now))
        case .peerChanged, .recordingStarted, .recordingStopped, .recordingAvailable, .recordingDeleted:
            // Published by the broker's, the recordings' and the purge job's own writes; no call plan names them.
            return nil
        }
    }
}
