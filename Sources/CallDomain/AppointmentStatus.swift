/// The status of an appointment, as stored in `appointments.status`.
public enum AppointmentStatus: String, Sendable, Equatable, Hashable, CaseIterable, Codable {
    /// Booked; nobody has connected yet.
    case scheduled
    /// A call reached `in_call` at least once.
    case inProgress = "in_progress"
    /// The consultation is over.
    case completed
    /// The access window closed with nobody connected.
    case noShow = "no_show"
    /// Called off by the application.
    case cancelled
    /// Moved to another time by the application (a new appointment row holds the new time).
    case rescheduled

    /// True for the statuses that accept no further transition.
    public var isTerminal: Bool {
        switch self {
        case .scheduled, .inProgress: false
        case .completed, .noShow, .cancelled, .rescheduled: true
        }
    }

    /// True when calls may be requested or continued on an appointment in this status.
    public var allowsCalls: Bool { !isTerminal }

    /// The status after `transition`, or a refusal.
    ///
    /// Legal transitions: `scheduled → in_progress` (start, on the first `started` call),
    /// `in_progress → completed` (complete), `scheduled → no_show` (markNoShow),
    /// `scheduled → cancelled` (cancel), `scheduled → rescheduled` (reschedule).
    /// Every other pair, and everything from a terminal status, is refused with
    /// `invalid_transition`. This machine never answers `invalid_status`: that code belongs to
    /// ``CallPolicy``, which refuses calls on an appointment whose status does not allow them
    /// before any transition is attempted.
    public func applying(_ transition: AppointmentTransition) throws(DomainError) -> AppointmentStatus {
        let legal: Bool = switch (self, transition) {
        case (.scheduled, .start), (.scheduled, .markNoShow), (.scheduled, .cancel),
             (.scheduled, .reschedule), (.inProgress, .complete):
            true
        default:
            false
        }
        guard legal else {
            let why = isTerminal ? "; \(rawValue) is final" : ""
            throw DomainError(
                .invalidTransition,
                "An appointment that is \(rawValue) cannot be \(transition.pastParticiple)\(why)."
            )
        }
        return transition.target
    }
}
