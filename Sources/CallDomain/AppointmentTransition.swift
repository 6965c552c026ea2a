/// A named change of an appointment's status.
public enum AppointmentTransition: Sendable, Equatable, Hashable, CaseIterable {
    /// The first call connected: `scheduled → in_progress`, sets `started_at`.
    case start
    /// The consultation ended: `in_progress → completed`, sets `ended_at`.
    case complete
    /// Nobody connected within the window: `scheduled → no_show`.
    case markNoShow
    /// The application called it off: `scheduled → cancelled`.
    case cancel
    /// The application moved it: `scheduled → rescheduled`.
    case reschedule

    /// The status this transition leads to.
    public var target: AppointmentStatus {
        switch self {
        case .start: .inProgress
        case .complete: .completed
        case .markNoShow: .noShow
        case .cancel: .cancelled
        case .reschedule: .rescheduled
        }
    }

    /// The status this transition starts from: every write of it is guarded by this status,
    /// so a transition decided on a stale read changes nothing.
    public var source: AppointmentStatus {
        switch self {
        case .complete: .inProgress
        case .start, .markNoShow, .cancel, .reschedule: .scheduled
        }
    }

    /// The appointment timestamps to set to `now` together with the status.
    public var stamps: Set<AppointmentStamp> {
        switch self {
        case .start: [.startedAt]
        case .complete: [.endedAt]
        case .markNoShow, .cancel, .reschedule: []
        }
    }

    var pastParticiple: String {
        switch self {
        case .start: "started"
        case .complete: "completed"
        case .markNoShow: "marked no_show"
        case .cancel: "cancelled"
        case .reschedule: "rescheduled"
        }
    }
}

/// An `appointments` timestamp column a transition sets; the raw value is the column name.
public enum AppointmentStamp: String, Sendable, Equatable, Hashable, CaseIterable {
    /// `started_at`.
    case startedAt = "started_at"
    /// `ended_at`.
    case endedAt = "ended_at"
}
