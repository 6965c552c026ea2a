import Foundation

/// When participants may call: `[scheduled_at − lead, scheduled_at + duration + grace]`, both
/// ends inclusive.
///
/// `Date` is an absolute instant, so the window is the same whatever time zone or UTC offset the
/// inputs were written in, and a daylight-saving change inside it neither stretches nor shrinks it.
public struct AccessWindow: Sendable, Equatable, Hashable {
    /// The first instant calls are allowed: `scheduled_at − lead`.
    public let opensAt: Date
    /// The last instant calls are allowed: `scheduled_at + duration_minutes + grace`.
    public let closesAt: Date

    /// Builds the window of an appointment.
    public init(scheduledAt: Date, durationMinutes: Int, leadSeconds: Int, graceSeconds: Int) {
        opensAt = scheduledAt.addingTimeInterval(-TimeInterval(leadSeconds))
        closesAt = scheduledAt.addingTimeInterval(TimeInterval(durationMinutes) * 60 + TimeInterval(graceSeconds))
    }

    /// Where `now` falls relative to the window.
    public func position(at now: Date) -> WindowPosition {
        if now < opensAt { return .tooEarly }
        if now > closesAt { return .closed }
        return .open
    }

    /// True only strictly after ``closesAt``.
    public func isClosed(at now: Date) -> Bool { now > closesAt }
}

/// Where an instant falls relative to an ``AccessWindow``.
public enum WindowPosition: Sendable, Equatable, Hashable, CaseIterable {
    /// Before `opensAt`.
    case tooEarly
    /// Within `[opensAt, closesAt]`.
    case open
    /// After `closesAt`.
    case closed

    /// The refusal code for calling at this position: `too_early`, `too_late`, or nil when open.
    public var refusal: ReasonCode? {
        switch self {
        case .tooEarly: .tooEarly
        case .open: nil
        case .closed: .tooLate
        }
    }
}
