/// The role a participant plays on an appointment; the raw value is `users.role`.
public enum ParticipantRole: String, Sendable, Equatable, Hashable, CaseIterable, Codable {
    /// The appointment's doctor.
    case doctor
    /// The appointment's patient.
    case patient
}
