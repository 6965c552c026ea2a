import Foundation

/// The rule behind `jobs no-show`: an appointment nobody joined is marked `no_show` once its
/// access window has closed.
///
/// When it is due the job, in one transaction per appointment: applies ``transition``
/// (`scheduled → no_show`), closes any open call session with ``sessionAction``
/// (`window_closed`, audited as `no_show`), writes an audit row of type ``audit`` and publishes
/// ``AppointmentNoShow``.
public enum NoShowRule {
    /// The appointment transition of a no-show.
    public static let transition = AppointmentTransition.markNoShow
    /// How an open call session of a no-show appointment is closed.
    public static let sessionAction = CallAction.close(.windowClosed)
    /// The audit type written for the appointment.
    public static let audit = AuditEventType.noShow

    /// The instant the scheduled end is compared with: `now − grace`.
    public static func cutoff(now: Date, settings: CallSettings) -> Date {
        now.addingTimeInterval(-TimeInterval(settings.graceSeconds))
    }

    /// True when the appointment is `scheduled`, never started and its window is closed at `now`.
    ///
    /// The window is closed strictly after `scheduled_at + duration + grace`, that is when
    /// `scheduled_at + duration < now − grace`. The SQL pre-filter that matches this exactly,
    /// to the edge second, with `$cutoff` = ``cutoff(now:settings:)``:
    ///
    /// ```sql
    /// status = 'scheduled' AND started_at IS NULL
    ///   AND scheduled_at + make_interval(mins => duration_minutes) < $cutoff
    /// ```
    public static func isDue(_ appointment: AppointmentSnapshot, settings: CallSettings, now: Date) -> Bool {
        appointment.status == .scheduled
            && appointment.startedAt == nil
            && appointment.scheduledEnd < cutoff(now: now, settings: settings)
    }
}
