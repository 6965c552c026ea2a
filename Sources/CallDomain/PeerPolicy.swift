import Foundation

/// Who may be issued a PeerJS peer id for the broker (docs/design.md, "PeerJS broker").
public enum PeerPolicy {
    /// The role `actor` holds in call `callId`, when that call is the appointment's open call
    /// and `actor` is one of its two participants.
    /// - Throws: `DomainError`: `unauthenticated`; `not_found` for someone who is not a
    ///   participant of the appointment; `invalid_transition` when `callId` is not the open call.
    public static func authorizeIssue(callId: UUID, facts: CallFacts) throws(DomainError) -> ParticipantRole {
        guard let actor = facts.actorUserId else {
            throw DomainError(.unauthenticated, "A peer id is issued to a signed-in participant; send a valid token.")
        }
        let role = try CallPolicy.participantRole(of: actor, on: facts.appointment)
        guard let session = facts.openSession, session.id == callId,
              actor == session.callerUserId || actor == session.calleeUserId else {
            throw DomainError(.invalidTransition, "Call \(callId.uuidString.lowercased()) is not the open call of appointment "
                              + "\(facts.appointment.id); a peer id is issued only for an open call you take part in.")
        }
        return role
    }
}
