/// A `call_sessions` timestamp column a step sets to `now`; the raw value is the column name.
public enum CallStamp: String, Sendable, Equatable, Hashable, CaseIterable {
    /// `accepted_at`.
    case acceptedAt = "accepted_at"
    /// `connected_at`.
    case connectedAt = "connected_at"
    /// `ended_at`.
    case endedAt = "ended_at"
    /// `last_heartbeat_at`.
    case lastHeartbeatAt = "last_heartbeat_at"
}

/// The outcome of a legal call action: the new state, the end reason and the stamps to set.
public struct CallStep: Sendable, Equatable, Hashable {
    /// The state before the step.
    public let from: CallState
    /// The state after the step.
    public let to: CallState
    /// Set when `to` is `ended`.
    public let endReason: EndReason?
    /// The timestamp columns to set to `now`; all others stay as they are.
    public let stamps: Set<CallStamp>

    /// Creates a step; ``CallState/applying(_:)`` is the only place that decides one.
    init(from: CallState, to: CallState, endReason: EndReason? = nil, stamps: Set<CallStamp>) {
        self.from = from
        self.to = to
        self.endReason = endReason
        self.stamps = stamps
    }

    static func ending(from state: CallState, reason: EndReason) -> CallStep {
        CallStep(from: state, to: .ended, endReason: reason, stamps: [.endedAt])
    }

    /// True when this step connects the call (the first `started`).
    public var connects: Bool { stamps.contains(.connectedAt) }
}
