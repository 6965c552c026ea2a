import Foundation

/// The rule behind `jobs reap` for call sessions: open calls that outlived their timeout.
///
/// "Older than" is strict: a call exactly `timeout` seconds old is kept; one second later it is
/// reaped. Each open state counts from its own instant, and the SQL pre-filter per state, with
/// `$cutoff` = ``cutoff(for:settings:now:)``, is:
///
/// | state | reason | counts from | SQL |
/// |---|---|---|---|
/// | ringing | timeout_no_answer | requested_at | `requested_at < $cutoff` |
/// | accepted | connect_timeout | accepted_at | `coalesce(accepted_at, requested_at) < $cutoff` |
/// | in_call | heartbeat_lost | last heartbeat, else connected_at | `coalesce(last_heartbeat_at, connected_at, accepted_at, requested_at) < $cutoff` |
/// | in_call | max_duration | connected_at | `coalesce(connected_at, accepted_at, requested_at) < $maxCutoff` |
///
/// `$maxCutoff` = ``maxCallCutoff(settings:now:)``: heartbeats keep a call alive, but never
/// past `timeouts.max_call`. A call both silent and too long ends as heartbeat_lost.
///
/// (The fallbacks in `coalesce` only matter for rows written by something other than this
/// module's plans.)
public enum ReaperRule {
    /// The end reason the reaper uses for a call stuck in `state`; nil for `ended`.
    public static func reason(for state: CallState) -> EndReason? {
        switch state {
        case .ringing: .timeoutNoAnswer
        case .accepted: .connectTimeout
        case .inCall: .heartbeatLost
        case .ended: nil
        }
    }

    /// The instant before which a call in `state` is reaped: `now − timeout` of that state;
    /// nil for `ended`.
    public static func cutoff(for state: CallState, settings: CallSettings, now: Date) -> Date? {
        let timeout: Int
        switch state {
        case .ringing: timeout = settings.ringingTimeoutSeconds
        case .accepted: timeout = settings.connectTimeoutSeconds
        case .inCall: timeout = settings.heartbeatTimeoutSeconds
        case .ended: return nil
        }
        return now.addingTimeInterval(-TimeInterval(timeout))
    }

    /// The instant before which a connected call has lasted longer than `timeouts.max_call`.
    public static func maxCallCutoff(settings: CallSettings, now: Date) -> Date {
        now.addingTimeInterval(-TimeInterval(settings.maxCallSeconds))
    }

    /// What the reaper does to `session` at `now`, or nil when it is left alone.
    ///
    /// `appointmentStatus` is the status of the session's appointment, read with the session;
    /// nil when it is not one callctl knows. The verdict completes the appointment
    /// (``ReapVerdict/appointment``) only for `heartbeat_lost` and `max_duration`, and only when that status allows
    /// ``AppointmentTransition/complete``; otherwise another writer got there first and the
    /// call is just closed. `max_duration` completes it the same way.
    public static func verdict(
        for session: CallSessionSnapshot, appointmentStatus: AppointmentStatus?, settings: CallSettings, now: Date
    ) -> ReapVerdict? {
        guard let timeoutReason = reason(for: session.state),
              let cutoff = cutoff(for: session.state, settings: settings, now: now) else { return nil }
        let reason: EndReason
        if countsFrom(session) < cutoff {
            reason = timeoutReason
        } else if session.state == .inCall,
                  (session.connectedAt ?? session.acceptedAt ?? session.requestedAt) < maxCallCutoff(settings: settings, now: now) {
            reason = .maxDuration
        } else {
            return nil
        }
        guard let step = try? session.state.applying(.close(reason)) else { return nil }
        let completes = reason.completesStartedAppointment && appointmentStatus.flatMap { try? $0.applying(.complete) } != nil
        return ReapVerdict(
            step: step,
            appointment: completes ? .complete : nil,
            audit: AuditEventType.recorded(forEnd: reason)
        )
    }

    private static func countsFrom(_ session: CallSessionSnapshot) -> Date {
        switch session.state {
        case .ringing, .ended: session.requestedAt
        case .accepted: session.acceptedAt ?? session.requestedAt
        case .inCall: session.lastHeartbeatAt ?? session.connectedAt ?? session.acceptedAt ?? session.requestedAt
        }
    }
}

/// What the reaper writes for one call session, in one transaction.
public struct ReapVerdict: Sendable, Equatable {
    /// The closing step (`ended`, its reason, `ended_at`).
    public let step: CallStep
    /// The appointment transition: ``AppointmentTransition/complete`` (status `completed`,
    /// `ended_at = now`) for `heartbeat_lost` on an appointment whose status allows it, nil
    /// otherwise.
    public let appointment: AppointmentTransition?
    /// The audit row type: `timeout` or `reaped`.
    public let audit: AuditEventType

    /// Creates a verdict; ``ReaperRule`` is the only place that decides one, other modules build
    /// them only as test fixtures.
    public init(step: CallStep, appointment: AppointmentTransition?, audit: AuditEventType) {
        self.step = step
        self.appointment = appointment
        self.audit = audit
    }

    /// The end reason (shorthand for `step.endReason`).
    public var reason: EndReason? { step.endReason }
}
