import Foundation

extension CallPolicy {
    /// The latest instant TURN relay credentials handed to `facts.actorUserId` may stay valid
    /// (``AccessWindow/closesAt``: the window's end plus the grace), or the refusal.
    ///
    /// Credentials are issued only to a participant, and only while the appointment is
    /// callable (the gates of `request`: status, doctor, license, window) or has an open call;
    /// a completed, cancelled or long-past appointment gets none. A call running past its
    /// window keeps the relay it has, but gets no new credentials (`too_late`).
    public static func relayDeadline(facts: CallFacts, settings: CallSettings, now: Date) throws(DomainError) -> Date {
        guard let actor = facts.actorUserId else {
            throw DomainError(.unauthenticated, "ICE servers are for signed-in participants; send a valid token.")
        }
        _ = try participantRole(of: actor, on: facts.appointment)
        if facts.openSession == nil {
            try checkGates(facts: facts, settings: settings, now: now)
        }
        let closesAt = facts.appointment.window(settings: settings).closesAt
        guard closesAt > now else {
            throw DomainError(.tooLate, "Calls for appointment \(facts.appointment.id) closed at \(ISOTimestamp.format(closesAt)); "
                              + "relay credentials are not issued after the window.")
        }
        return closesAt
    }
}
