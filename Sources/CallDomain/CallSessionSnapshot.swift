import Foundation

/// The call-session facts the rules need, read from `call_sessions`.
public struct CallSessionSnapshot: Sendable, Equatable, Hashable {
    /// `call_sessions.id`: the callId.
    public var id: UUID
    /// `call_sessions.state`.
    public var state: CallState
    /// The user who requested the call.
    public var callerUserId: Int64
    /// The user who was called.
    public var calleeUserId: Int64
    /// When the call was requested.
    public var requestedAt: Date
    /// When the callee accepted.
    public var acceptedAt: Date?
    /// When the first `started` arrived.
    public var connectedAt: Date?
    /// When the last heartbeat (or repeated `started`) arrived.
    public var lastHeartbeatAt: Date?
    /// Since when the call is recorded; nil while it is not.
    public var recordingSince: Date?

    /// Creates a snapshot.
    public init(
        id: UUID, state: CallState, callerUserId: Int64, calleeUserId: Int64, requestedAt: Date,
        acceptedAt: Date? = nil, connectedAt: Date? = nil, lastHeartbeatAt: Date? = nil, recordingSince: Date? = nil
    ) {
        self.id = id
        self.state = state
        self.callerUserId = callerUserId
        self.calleeUserId = calleeUserId
        self.requestedAt = requestedAt
        self.acceptedAt = acceptedAt
        self.connectedAt = connectedAt
        self.lastHeartbeatAt = lastHeartbeatAt
        self.recordingSince = recordingSince
    }
}
