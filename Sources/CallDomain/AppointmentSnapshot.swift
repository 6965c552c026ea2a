import Foundation

/// The appointment facts the rules need, read in the same transaction that acts on them.
public struct AppointmentSnapshot: Sendable, Equatable, Hashable {
    /// `appointments.id`.
    public var id: Int64
    /// `appointments.tenant_id`.
    public var tenantId: Int64
    /// The `users.id` of the appointment's doctor.
    public var doctorUserId: Int64
    /// The `users.id` of the appointment's patient.
    public var patientUserId: Int64
    /// `appointments.status`.
    public var status: AppointmentStatus
    /// `appointments.scheduled_at`.
    public var scheduledAt: Date
    /// `appointments.duration_minutes` (positive).
    public var durationMinutes: Int
    /// `appointments.started_at`: set by the first connected call.
    public var startedAt: Date?

    /// Creates a snapshot.
    public init(
        id: Int64, tenantId: Int64, doctorUserId: Int64, patientUserId: Int64,
        status: AppointmentStatus, scheduledAt: Date, durationMinutes: Int, startedAt: Date? = nil
    ) {
        self.id = id
        self.tenantId = tenantId
        self.doctorUserId = doctorUserId
        self.patientUserId = patientUserId
        self.status = status
        self.scheduledAt = scheduledAt
        self.durationMinutes = durationMinutes
        self.startedAt = startedAt
    }

    /// The role `userId` plays on this appointment, or nil when it is not a participant.
    public func role(of userId: Int64) -> ParticipantRole? {
        if userId == doctorUserId { return .doctor }
        if userId == patientUserId { return .patient }
        return nil
    }

    /// The other participant of `userId` (the callee when `userId` calls), or nil when
    /// `userId` is not a participant.
    public func counterpart(of userId: Int64) -> Int64? {
        switch role(of: userId) {
        case .doctor: patientUserId
        case .patient: doctorUserId
        case nil: nil
        }
    }

    /// The scheduled end: `scheduled_at + duration_minutes`.
    public var scheduledEnd: Date { scheduledAt.addingTimeInterval(TimeInterval(durationMinutes) * 60) }

    /// The access window under `settings`.
    public func window(settings: CallSettings) -> AccessWindow {
        AccessWindow(
            scheduledAt: scheduledAt, durationMinutes: durationMinutes,
            leadSeconds: settings.leadSeconds, graceSeconds: settings.graceSeconds
        )
    }
}
