import Foundation

/// The rule behind `jobs reap` for appointments: an `in_progress` appointment with no open call
/// and no activity for `timeouts.zombie_appointment` is completed.
///
/// That happens when its last call ended without completing it (`error`, a decline or timeout
/// of a reconnect attempt). When due, the job applies ``transition`` (status `completed`,
/// `ended_at = now`) and writes an audit row of type ``audit``.
public enum ZombieAppointmentRule {
    /// The appointment transition of a zombie.
    public static let transition = AppointmentTransition.complete
    /// The audit type written.
    public static let audit = AuditEventType.reaped

    /// The instant before which the last activity must lie: `now − zombie timeout`.
    public static func cutoff(now: Date, settings: CallSettings) -> Date {
        now.addingTimeInterval(-TimeInterval(settings.zombieAppointmentTimeoutSeconds))
    }

    /// True when the appointment is `in_progress`, has no open call session and its last
    /// activity — the latest `ended_at` of its sessions, else `started_at`, else `scheduled_at` —
    /// is strictly before ``cutoff(now:settings:)``. The matching SQL:
    ///
    /// ```sql
    /// a.status = 'in_progress'
    ///   AND NOT EXISTS (SELECT 1 FROM call_sessions s WHERE s.appointment_id = a.id AND s.state <> 'ended')
    ///   AND coalesce((SELECT max(s.ended_at) FROM call_sessions s WHERE s.appointment_id = a.id),
    ///                a.started_at, a.scheduled_at) < $cutoff
    /// ```
    public static func isDue(
        _ appointment: AppointmentSnapshot, hasOpenSession: Bool, lastSessionEndedAt: Date?,
        settings: CallSettings, now: Date
    ) -> Bool {
        let lastActivity = lastSessionEndedAt ?? appointment.startedAt ?? appointment.scheduledAt
        return appointment.status == .inProgress
            && !hasOpenSession
            && lastActivity < cutoff(now: now, settings: settings)
    }
}
