/// `from` of ``AppointmentCallRequested``: who is calling.
public struct EventFrom: Sendable, Equatable, Hashable, Encodable {
    /// `users.id`.
    public let id: Int64
    /// `users.name`.
    public let name: String
    /// Doctor or patient.
    public let role: ParticipantRole

    /// Creates the caller reference.
    public init(id: Int64, name: String, role: ParticipantRole) {
        self.id = id
        self.name = name
        self.role = role
    }
}

/// `by` of the accepted, cancelled, declined and busy events: who acted.
public struct EventBy: Sendable, Equatable, Hashable, Encodable {
    /// `users.id`.
    public let id: Int64
    /// Doctor or patient.
    public let role: ParticipantRole

    /// Creates the actor reference.
    public init(id: Int64, role: ParticipantRole) {
        self.id = id
        self.role = role
    }
}

/// `who` of ``AppointmentCallStarted``: whose peer connected.
public struct EventWho: Sendable, Equatable, Hashable, Encodable {
    /// `users.id`.
    public let id: Int64

    /// Creates the user reference.
    public init(id: Int64) { self.id = id }
}
