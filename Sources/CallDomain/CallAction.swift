/// Something that happens to a call session: a participant's action or a system close.
public enum CallAction: Sendable, Equatable, Hashable {
    /// The callee answers.
    case accept
    /// The callee refuses.
    case decline
    /// The caller withdraws before an answer.
    case cancel
    /// A peer reports the media connection is up.
    case started
    /// A peer reports it is still connected.
    case heartbeat
    /// A participant hangs up.
    case end
    /// The system closes the call (reaper timeouts, no-show, failures) with the given reason.
    case close(EndReason)

    /// The action's name as written in the API and in messages (`close(timeout_no_answer)`).
    public var name: String {
        switch self {
        case .accept: "accept"
        case .decline: "decline"
        case .cancel: "cancel"
        case .started: "started"
        case .heartbeat: "heartbeat"
        case .end: "end"
        case .close(let reason): "close(\(reason.rawValue))"
        }
    }
}
