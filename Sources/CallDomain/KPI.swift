/// The KPIs of docs/design.md's "KPI definitions", in report order: their JSON keys, titles and
/// definitions, so help text, headers, metric names and charts all say the same thing.
public enum KPI: String, CaseIterable, Sendable {
    case callsRequested = "calls_requested"
    case callsConnected = "calls_connected"
    case connectionSuccessRate = "connection_success_rate"
    case timeToConnectMs = "time_to_connect_ms"
    case timeoutRate = "timeout_rate"
    case busyRate = "busy_rate"
    case meanDurationSeconds = "mean_duration_s"
    case noShowRate = "no_show_rate"
    case relayedShare = "relayed_share"
    case dropRate = "drop_rate"
    case permissionFailuresPer100 = "permission_failures_per_100"
    case poorNetworkShare = "poor_network_share"
    case recordingsMade = "recordings_made"
    case recordingsPurged = "recordings_purged"

    /// Whether the KPI is a count (a whole number, never null) rather than a rate or a statistic.
    public var isCount: Bool {
        switch self {
        case .callsRequested, .callsConnected, .recordingsMade, .recordingsPurged: true
        default: false
        }
    }

    /// A short title for people, e.g. "Connection success".
    public var title: String {
        switch self {
        case .callsRequested: "Calls requested"
        case .callsConnected: "Calls connected"
        case .connectionSuccessRate: "Connection success"
        case .timeToConnectMs: "Time to connect"
        case .timeoutRate: "Timeouts"
        case .busyRate: "Busy"
        case .meanDurationSeconds: "Mean consultation duration"
        case .noShowRate: "No-shows"
        case .relayedShare: "Relayed through TURN"
        case .dropRate: "Dropped after connecting"
        case .permissionFailuresPer100: "Camera/mic failures per 100 requests"
        case .poorNetworkShare: "Poor network"
        case .recordingsMade: "Recordings made"
        case .recordingsPurged: "Recordings deleted"
        }
    }

    /// The definition, one sentence, as docs/design.md states it.
    public var definition: String {
        switch self {
        case .callsRequested:
            "call sessions requested in the period, by requested_at (a busy refusal creates no session)"
        case .callsConnected:
            "of those, sessions that reached in_call (connected_at set)"
        case .connectionSuccessRate:
            "calls_connected / sessions of the period that were accepted (accepted_at set)"
        case .timeToConnectMs:
            "connected_at - accepted_at over connected sessions, in milliseconds: mean, p50, p95"
        case .timeoutRate:
            "sessions ended timeout_no_answer / calls_requested"
        case .busyRate:
            "busy audit events (by their time) / (calls_requested + busy audit events)"
        case .meanDurationSeconds:
            "ended_at - started_at, in seconds, over appointments completed whose scheduled_at is in the period"
        case .noShowRate:
            "no_show appointments / appointments scheduled in the period that were not cancelled or rescheduled"
        case .relayedShare:
            "calls with an ice report whose selected candidate is relay / calls with an ice report (reports by their time)"
        case .dropRate:
            "sessions ended heartbeat_lost / calls_connected"
        case .permissionFailuresPer100:
            "error reports naming a camera or microphone failure (NotAllowedError, NotFoundError, ...) x 100 / calls_requested"
        case .poorNetworkShare:
            "calls with a quality report of loss > 5 % or RTT > 400 ms / calls with a quality report"
        case .recordingsMade:
            "recordings received in the period, by received_at"
        case .recordingsPurged:
            "recordings deleted after their retention in the period, by purged_at"
        }
    }
}

/// How a KPI report is broken down.
public enum KPIGrouping: String, CaseIterable, Sendable {
    /// By local calendar day in the report's time zone.
    case day
    /// By the appointment's doctor.
    case doctor
    /// By the appointment's tenant.
    case tenant
}
