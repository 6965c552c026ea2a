/// The `appointment_call_events.type` written with each change (the audit trail).
public enum AuditEventType: String, Sendable, Equatable, Hashable, CaseIterable, Codable {
    /// A call was requested.
    case request
    /// The callee accepted.
    case accept
    /// The callee declined.
    case decline
    /// The caller cancelled.
    case cancel
    /// A request was refused because the appointment or the callee was busy (no session exists).
    case busy
    /// A participant's peer connected (`started`).
    case join
    /// A participant hung up.
    case leave
    /// The reaper closed a call nobody answered or that never connected.
    case timeout
    /// The reaper closed a call whose heartbeat stopped, or completed a zombie appointment.
    case reaped
    /// The no-show job marked the appointment, or closed its open call.
    case noShow = "no_show"
    /// An operator ended a stuck call (`callctl call end`); the payload names the operator.
    case operatorEnd = "operator_end"
    /// The system closed a call after a failure, or a participant's browser reported an error (`…/call/report`).
    case error
    /// A participant's browser reported the ICE candidate pair it selected.
    case ice
    /// A participant's browser reported the call's quality.
    case quality
    /// callctl issued a participant a PeerJS peer id for the broker (`…/call/peer`).
    case peer
    /// A participant's peer connected to the PeerJS broker.
    case brokerJoin = "broker_join"
    /// A participant's peer left the PeerJS broker (closed, timed out, or the call ended).
    case brokerLeave = "broker_leave"
    /// A participant granted or withdrew consent to record the call (`granted` in the payload).
    case recordingConsent = "recording_consent"
    /// Recording of the call started.
    case recordingStarted = "recording_started"
    /// Recording of the call stopped (by a participant, because consent was withdrawn, or
    /// because the call ended).
    case recordingStopped = "recording_stopped"
    /// The recording service announced a recording file (`POST /webhooks/recording`).
    case recordingAvailable = "recording_available"
    /// The recording service announced a file of a call nobody consented to record: refused.
    case recordingViolation = "recording_violation"
    /// A participant was given a signed download URL (`GET /appointments/{id}/recording`).
    case recordingDownloaded = "recording_downloaded"
    /// `jobs purge-recordings` deleted an expired recording's object and cleared its location.
    case recordingDeleted = "recording_deleted"

    /// The audit type written with a call action; nil for `heartbeat`, which is not audited
    /// (it would flood the trail and says nothing `join`/`leave` do not).
    public static func recorded(for action: CallAction) -> AuditEventType? {
        switch action {
        case .accept: .accept
        case .decline: .decline
        case .cancel: .cancel
        case .started: .join
        case .heartbeat: nil
        case .end: .leave
        case .close(let reason): recorded(forEnd: reason)
        }
    }

    /// The audit type written when a call ends for `reason`.
    ///
    /// `hangup` → leave, `declined` → decline, `cancelled` → cancel, `timeout_no_answer` and
    /// `connect_timeout` → timeout, `heartbeat_lost` and `max_duration` → reaped, `window_closed` → no_show,
    /// `operator` → operator_end, `error` → error.
    public static func recorded(forEnd reason: EndReason) -> AuditEventType {
        switch reason {
        case .hangup: .leave
        case .declined: .decline
        case .cancelled: .cancel
        case .timeoutNoAnswer, .connectTimeout: .timeout
        case .heartbeatLost, .maxDuration: .reaped
        case .windowClosed: .noShow
        case .operatorEnded: .operatorEnd
        case .error: .error
        }
    }
}
