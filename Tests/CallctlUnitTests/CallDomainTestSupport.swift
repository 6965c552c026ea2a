import CallDomain
import Foundation

/// Shared fixtures for the CallDomain tests.
enum DomainFixture {
    /// Parses an ISO-8601 instant with or without fractional seconds and with any UTC offset.
    static func instant(_ text: String) throws -> Date {
        if text.contains(".") {
            return try Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)
        }
        return try Date(text, strategy: .iso8601)
    }

    static let doctorUserId: Int64 = 10
    static let patientUserId: Int64 = 20
    static let strangerUserId: Int64 = 99
    static let callId = UUID(uuid: (0xA1, 0xB2, 0xC3, 0xD4, 0xE5, 0xF6, 0x47, 0x08, 0x89, 0x0A, 0x1B, 0x2C, 0x3D, 0x4E, 0x5F, 0x60))
    static let otherCallId = UUID(uuid: (0, 0, 0, 0, 0, 0, 0x40, 0, 0x80, 0, 0, 0, 0, 0, 0, 1))

    /// Appointment 42 at 2026-03-29T10:00:00Z for 30 minutes: with the default settings its
    /// window is [09:50:00Z, 10:45:00Z].
    static func appointment(status: AppointmentStatus = .scheduled, startedAt: Date? = nil) throws -> AppointmentSnapshot {
        AppointmentSnapshot(
            id: 42, tenantId: 1, doctorUserId: doctorUserId, patientUserId: patientUserId,
            status: status, scheduledAt: try instant("2026-03-29T10:00:00Z"), durationMinutes: 30,
            startedAt: startedAt
        )
    }

    /// A session of appointment 42 called by the doctor.
    static func session(
        _ state: CallState, id: UUID = callId, caller: Int64 = doctorUserId, callee: Int64 = patientUserId
    ) throws -> CallSessionSnapshot {
        CallSessionSnapshot(
            id: id, state: state, callerUserId: caller, calleeUserId: callee,
            requestedAt: try instant("2026-03-29T10:00:00Z"),
            acceptedAt: state == .ringing ? nil : try instant("2026-03-29T10:00:10Z"),
            connectedAt: state == .inCall ? try instant("2026-03-29T10:00:20Z") : nil
        )
    }

    static let activeDoctor = DoctorSnapshot(status: .active, licenseValidUntil: CalendarDay(year: 2027, month: 1, day: 31))
}
