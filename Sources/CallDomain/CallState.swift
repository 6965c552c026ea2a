/// The state of one call session, as stored in `call_sessions.state`.
public enum CallState: String, Sendable, Equatable, Hashable, CaseIterable, Codable {
    /// Requested; the callee has not answered.
    case ringing
    /// The callee accepted; the peers are connecting.
    case accepted
    /// The peers connected (the first `started` arrived).
    case inCall = "in_call"
    /// Over; `end_reason` says why.
    case ended

    /// True for every state but `ended`: the call holds the appointment's one-active-call lock.
    public var isOpen: Bool { self != .ended }

    /// The step `action` takes from this state, or `invalid_transition`.
    ///
    /// Legal steps:
    /// - `ringing` + accept → `accepted`, sets `accepted_at`
    /// - `ringing` + decline → `ended` (declined); `ringing` + cancel → `ended` (cancelled)
    /// - `accepted` + started → `in_call`, sets `connected_at`
    /// - `in_call` + started (the other peer, or a retry) or heartbeat → `in_call`, sets
    ///   `last_heartbeat_at`
    /// - `accepted` | `in_call` + end → `ended` (hangup)
    /// - any open state + close(reason) → `ended` (reason)
    ///
    /// Every step into `ended` sets `ended_at`. Callers write exactly ``CallStep/stamps`` and
    /// nothing else.
    public func applying(_ action: CallAction) throws(DomainError) -> CallStep {
        switch (self, action) {
        case (.ringing, .accept):
            return CallStep(from: self, to: .accepted, stamps: [.acceptedAt])
        case (.ringing, .decline):
            return .ending(from: self, reason: .declined)
        case (.ringing, .cancel):
            return .ending(from: self, reason: .cancelled)
        case (.accepted, .started):
            return CallStep(from: self, to: .inCall, stamps: [.connectedAt])
        case (.inCall, .started), (.inCall, .heartbeat):
            return CallStep(from: self, to: .inCall, stamps: [.lastHeartbeatAt])
        case (.accepted, .end), (.inCall, .end):
            return .ending(from: self, reason: .hangup)
        case (.ringing, .close(let reason)), (.accepted, .close(let reason)), (.inCall, .close(let reason)):
            return .ending(from: self, reason: reason)
        default:
            throw DomainError(
                .invalidTransition,
                "A call that is \(rawValue) cannot take \(action.name); \(hint)"
            )
        }
    }

    private var hint: String {
        switch self {
        case .ringing: "the callee must accept, or the caller cancel, first."
        case .accepted: "send started once the peers connect, or end."
        case .inCall: "send heartbeat or end."
        case .ended: "it is over, request a new call instead."
        }
    }
}
