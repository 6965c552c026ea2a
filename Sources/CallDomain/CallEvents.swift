import Foundation

/// `AppointmentCallRequested {appointmentId, callId, from:{id,name,role}, peerId, at}`.
/// `peerId` is the caller's PeerJS id, `null` when the caller has not sent one.
public struct AppointmentCallRequested: CallEventPayload {
    /// ``CallEventKind/requested``.
    public static let kind = CallEventKind.requested
    /// `appointments.id`.
    public let appointmentId: Int64
    /// The callId as a lowercase UUID string.
    public let callId: String
    /// Who is calling.
    public let from: EventFrom
    /// The PeerJS id of the acting participant, if sent.
    @NullWhenAbsent public private(set) var peerId: String?
    /// When it happened.
    public let at: Date

    /// Creates the payload.
    public init(appointmentId: Int64, callId: UUID, from: EventFrom, peerId: String?, at: Date) {
        self.appointmentId = appointmentId
        self.callId = callId.uuidString.lowercased()
        self.from = from
        self.peerId = peerId
        self.at = at
    }
}

/// `AppointmentCallAccepted {appointmentId, callId, by:{id,role}, peerId}`.
/// `peerId` is the callee's PeerJS id, `null` when the callee has not sent one.
public struct AppointmentCallAccepted: CallEventPayload {
    /// ``CallEventKind/accepted``.
    public static let kind = CallEventKind.accepted
    /// `appointments.id`.
    public let appointmentId: Int64
    /// The callId as a lowercase UUID string.
    public let callId: String
    /// Who acted.
    public let by: EventBy
    /// The PeerJS id of the acting participant, if sent.
    @NullWhenAbsent public private(set) var peerId: String?

    /// Creates the payload.
    public init(appointmentId: Int64, callId: UUID, by: EventBy, peerId: String?) {
        self.appointmentId = appointmentId
        self.callId = callId.uuidString.lowercased()
        self.by = by
        self.peerId = peerId
    }
}

/// `AppointmentCallStarted {appointmentId, callId, who:{id}, at}`.
public struct AppointmentCallStarted: CallEventPayload {
    /// ``CallEventKind/started``.
    public static let kind = CallEventKind.started
    /// `appointments.id`.
    public let appointmentId: Int64
    /// The callId as a lowercase UUID string.
    public let callId: String
    /// Whose peer connected.
    public let who: EventWho
    /// When it happened.
    public let at: Date

    /// Creates the payload.
    public init(appointmentId: Int64, callId: UUID, who: EventWho, at: Date) {
        self.appointmentId = appointmentId
        self.callId = callId.uuidString.lowercased()
        self.who = who
        self.at = at
    }
}

/// `AppointmentCallEnded {appointmentId, callId, reason, duration, at}`.
public struct AppointmentCallEnded: CallEventPayload {
    /// ``CallEventKind/ended``.
    public static let kind = CallEventKind.ended
    /// `appointments.id`.
    public let appointmentId: Int64
    /// The callId as a lowercase UUID string.
    public let callId: String
    /// Why the call ended.
    public let reason: EndReason
    /// Whole seconds from `connected_at` to `at`, rounded down; 0 if the call never connected.
    public let duration: Int
    /// When it happened.
    public let at: Date

    /// Creates the payload, computing `duration` from `connectedAt` to `at`.
    public init(appointmentId: Int64, callId: UUID, reason: EndReason, connectedAt: Date?, at: Date) {
        self.appointmentId = appointmentId
        self.callId = callId.uuidString.lowercased()
        self.reason = reason
        self.duration = connectedAt.map { max(0, Int(at.timeIntervalSince($0).rounded(.down))) } ?? 0
        self.at = at
    }
}

/// `{appointmentId, callId, by:{id,role}, at}`: a participant cancelled or declined a call, or
/// started its recording; `Action` says which (``AppointmentCallCancelled``,
/// ``AppointmentCallDeclined``, ``AppointmentRecordingStarted``).
public struct ParticipantActed<Action: ParticipantAction>: CallEventPayload {
    /// The action's event kind.
    public static var kind: CallEventKind { Action.kind }
    /// `appointments.id`.
    public let appointmentId: Int64
    /// The callId as a lowercase UUID string.
    public let callId: String
    /// Who acted.
    public let by: EventBy
    /// When it happened.
    public let at: Date

    /// Creates the payload.
    public init(appointmentId: Int64, callId: UUID, by: EventBy, at: Date) {
        self.appointmentId = appointmentId
        self.callId = callId.uuidString.lowercased()
        self.by = by
        self.at = at
    }
}

/// Which event a ``ParticipantActed`` payload is.
public protocol ParticipantAction: Sendable {
    /// The event kind.
    static var kind: CallEventKind { get }
}

/// The caller cancelled: ``CallEventKind/cancelled``.
public enum Cancellation: ParticipantAction {
    /// ``CallEventKind/cancelled``.
    public static let kind = CallEventKind.cancelled
}

/// The callee declined: ``CallEventKind/declined``.
public enum Refusal: ParticipantAction {
    /// ``CallEventKind/declined``.
    public static let kind = CallEventKind.declined
}

/// `AppointmentCallCancelled {appointmentId, callId, by:{id,role}, at}`.
public typealias AppointmentCallCancelled = ParticipantActed<Cancellation>

/// `AppointmentCallDeclined {appointmentId, callId, by:{id,role}, at}`.
public typealias AppointmentCallDeclined = ParticipantActed<Refusal>

/// `AppointmentBusy {appointmentId, by:{id,role}, at}`: a request refused with `busy`.
public struct AppointmentBusy: CallEventPayload {
    /// ``CallEventKind/busy``.
    public static let kind = CallEventKind.busy
    /// `appointments.id`.
    public let appointmentId: Int64
    /// Who acted.
    public let by: EventBy
    /// When it happened.
    public let at: Date

    /// Creates the payload.
    public init(appointmentId: Int64, by: EventBy, at: Date) {
        self.appointmentId = appointmentId
        self.by = by
        self.at = at
    }
}

/// `AppointmentNoShow {appointmentId, at}`: the no-show job marked the appointment.
public struct AppointmentNoShow: CallEventPayload {
    /// ``CallEventKind/noShow``.
    public static let kind = CallEventKind.noShow
    /// `appointments.id`.
    public let appointmentId: Int64
    /// When it happened.
    public let at: Date

    /// Creates the payload.
    public init(appointmentId: Int64, at: Date) {
        self.appointmentId = appointmentId
        self.at = at
    }
}

/// `AppointmentCallPeerChanged {appointmentId, callId, by:{id,role}, peerId, at}`: callctl
/// issued a participant a new PeerJS peer id for the call (the first, or a new one after a
/// page reload); the other participant signals to this one from now on.
public struct AppointmentCallPeerChanged: CallEventPayload {
    /// ``CallEventKind/peerChanged``.
    public static let kind = CallEventKind.peerChanged
    /// `appointments.id`.
    public let appointmentId: Int64
    /// The callId as a lowercase UUID string.
    public let callId: String
    /// Whose peer id it is.
    public let by: EventBy
    /// The new peer id.
    public let peerId: String
    /// When it was issued.
    public let at: Date

    /// Creates the payload.
    public init(appointmentId: Int64, callId: UUID, by: EventBy, peerId: String, at: Date) {
        self.appointmentId = appointmentId
        self.callId = callId.uuidString.lowercased()
        self.by = by
        self.peerId = peerId
        self.at = at
    }
}
