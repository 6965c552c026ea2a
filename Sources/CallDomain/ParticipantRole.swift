/// The role a participant plays on an appointment; the raw value is `users.role`.
public enum ParticipantRole: String, Sendable, Equatable, Hashable, CaseIterable, Codable {
    /// The appointment's doctor.
    case doctor
    /// The appointment's patient.
    case patient

    /// The other participant's role.
    public var other: ParticipantRole { self == .doctor ? .patient : .doctor }
}
