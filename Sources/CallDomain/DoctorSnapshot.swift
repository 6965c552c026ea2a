import Foundation

/// `doctors.status`.
public enum DoctorStatus: String, Sendable, Equatable, Hashable, CaseIterable, Codable {
    /// May take consultations.
    case active
    /// Not practising; calls are refused with `doctor_inactive`.
    case inactive
    /// Suspended by the operator; calls are refused with `doctor_inactive`.
    case suspended
}

/// The doctor facts the policy needs.
public struct DoctorSnapshot: Sendable, Equatable, Hashable {
    /// `doctors.status`.
    public var status: DoctorStatus
    /// `doctors.license_valid_until`; nil means no expiry is recorded and none is enforced
    /// (the column is nullable and Laravel applications often leave it empty).
    public var licenseValidUntil: CalendarDay?

    /// Creates a snapshot.
    public init(status: DoctorStatus, licenseValidUntil: CalendarDay? = nil) {
        self.status = status
        self.licenseValidUntil = licenseValidUntil
    }

    /// True when the license has expired at `now`: the license is valid through the whole
    /// UTC day `licenseValidUntil` and expired from the following midnight UTC on.
    public func licenseExpired(at now: Date) -> Bool {
        guard let day = licenseValidUntil else { return false }
        return now >= day.endInUTC
    }
}
