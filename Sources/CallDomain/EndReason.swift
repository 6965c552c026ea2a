/// Why a call session ended, as stored in `call_sessions.end_reason`.
public enum EndReason: String, Sendable, Equatable, Hashable, CaseIterable, Codable {
    /// A participant ended an accepted or connected call.
    case hangup
    /// The callee refused a ringing call.
    case declined
    /// The caller withdrew a ringing call.
    case cancelled
    /// Nobody answered within the ringing timeout (reaper).
    case timeoutNoAnswer = "timeout_no_answer"
    /// Accepted but never connected within the connect timeout (reaper).
    case connectTimeout = "connect_timeout"
    /// Connected, then no heartbeat within the heartbeat timeout (reaper).
    case heartbeatLost = "heartbeat_lost"
    /// Connected for longer than `timeouts.max_call`, heartbeats or not (reaper).
    case maxDuration = "max_duration"
    /// The no-show job closed the appointment while this call was open.
    case windowClosed = "window_closed"
    /// An operator ended a stuck call (`callctl call end`).
    case operatorEnded = "operator"
    /// Closed by the system after a failure.
    case error

    /// True when ending a call for this reason completes an appointment that is `in_progress`.
    ///
    /// Only a hang-up, a lost heartbeat and the maximum call length do (docs/design.md "Rules"). A call that ends for any other
    /// reason leaves an `in_progress` appointment open for a new call; if none comes, the zombie
    /// rule (``ZombieAppointmentRule``) completes it.
    public var completesStartedAppointment: Bool {
        switch self {
        case .hangup, .heartbeatLost, .maxDuration: true
        case .declined, .cancelled, .timeoutNoAnswer, .connectTimeout, .windowClosed, .operatorEnded, .error: false
        }
    }
}
