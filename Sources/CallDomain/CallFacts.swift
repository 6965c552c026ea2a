import Foundation

/// Everything ``CallPolicy`` looks at, read in the transaction that will act on the answer.
public struct CallFacts: Sendable, Equatable {
    /// The signed-in user; nil when the request carried no valid credentials.
    public var actorUserId: Int64?
    /// The appointment (the caller answers `not_found` itself when there is none).
    public var appointment: AppointmentSnapshot
    /// The appointment's doctor.
    public var doctor: DoctorSnapshot
    /// The appointment's open (not ended) call session, if any; at most one exists.
    public var openSession: CallSessionSnapshot?
    /// Whether the user who would be called (``AppointmentSnapshot/counterpart(of:)`` of the
    /// actor) has an open call on another appointment. Only `request` looks at it.
    public var calleeHasOtherOpenCall: Bool
    /// Whether the actor's `started` on the open session was already recorded (its `join`).
    public var actorHasJoined: Bool

    /// Creates the facts.
    public init(
        actorUserId: Int64?, appointment: AppointmentSnapshot, doctor: DoctorSnapshot,
        openSession: CallSessionSnapshot? = nil, calleeHasOtherOpenCall: Bool = false, actorHasJoined: Bool = false
    ) {
        self.actorUserId = actorUserId
        self.appointment = appointment
        self.doctor = doctor
        self.openSession = openSession
        self.calleeHasOtherOpenCall = calleeHasOtherOpenCall
        self.actorHasJoined = actorHasJoined
    }
}
