import CallDomain
import Foundation

/// What `jobs no-show` changed (or, in a dry run, would change).
public struct NoShowOutcome: Sendable, Equatable {
    /// Appointments marked `no_show`, in the order they were claimed.
    public internal(set) var markedAppointmentIds: [Int64] = []
    /// Open call sessions of those appointments ended with `window_closed`.
    public internal(set) var closedSessionIds: [UUID] = []
    /// Outbox rows written.
    public internal(set) var outboxRows = 0
    /// Transactions committed (pages read in a dry run).
    public internal(set) var batches = 0

    /// An empty outcome.
    public init() {}
}

/// What `jobs reap` changed (or, in a dry run, would change).
public struct ReapOutcome: Sendable, Equatable {
    /// Call sessions ended, by end reason (`timeout_no_answer`, `connect_timeout`, `heartbeat_lost`).
    public internal(set) var closedByReason: [EndReason: Int] = [:]
    /// The ids of those sessions.
    public internal(set) var closedSessionIds: [UUID] = []
    /// Appointments completed because their call's heartbeat was lost.
    public internal(set) var completedAppointmentIds: [Int64] = []
    /// `in_progress` appointments without an open call that were completed (zombies).
    public internal(set) var zombieAppointmentIds: [Int64] = []
    /// Outbox rows written.
    public internal(set) var outboxRows = 0
    /// Transactions committed (pages read in a dry run).
    public internal(set) var batches = 0

    /// An empty outcome.
    public init() {}

    /// The end reasons the reaper uses, in the order reports list them.
    public static let reasons: [EndReason] = [.timeoutNoAnswer, .connectTimeout, .heartbeatLost, .maxDuration]

    /// Sessions ended in total.
    public var closed: Int { closedSessionIds.count }
}
