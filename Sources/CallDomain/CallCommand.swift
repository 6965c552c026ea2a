import Foundation

/// What a participant asks to do through the call lifecycle API.
public enum CallCommand: Sendable, Equatable, Hashable {
    /// Start a new call on the appointment.
    case request
    /// Answer call `callId` (callee only).
    case accept(callId: UUID)
    /// Refuse call `callId` (callee only).
    case decline(callId: UUID)
    /// Withdraw call `callId` before it is answered (caller only).
    case cancel(callId: UUID)
    /// Report that this participant's peer connected (either participant).
    case started(callId: UUID)
    /// Report that this participant's peer is still connected (either participant).
    case heartbeat(callId: UUID)
    /// Hang up (either participant).
    case end(callId: UUID)

    /// The call the command targets; nil for `request`.
    public var callId: UUID? {
        switch self {
        case .request: nil
        case .accept(let id), .decline(let id), .cancel(let id), .started(let id), .heartbeat(let id), .end(let id): id
        }
    }

    /// The call-machine action of the command; nil for `request`, which creates a session.
    public var action: CallAction? {
        switch self {
        case .request: nil
        case .accept: .accept
        case .decline: .decline
        case .cancel: .cancel
        case .started: .started
        case .heartbeat: .heartbeat
        case .end: .end
        }
    }
}
