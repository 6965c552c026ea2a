import Foundation

/// The kinds of event published on an appointment's channel; the raw value is the short
/// (class) name.
public enum CallEventKind: String, Sendable, Equatable, Hashable, CaseIterable {
    /// ``AppointmentCallRequested``.
    case requested = "AppointmentCallRequested"
    /// ``AppointmentCallAccepted``.
    case accepted = "AppointmentCallAccepted"
    /// ``AppointmentCallStarted``.
    case started = "AppointmentCallStarted"
    /// ``AppointmentCallEnded``.
    case ended = "AppointmentCallEnded"
    /// ``AppointmentCallCancelled``.
    case cancelled = "AppointmentCallCancelled"
    /// ``AppointmentCallDeclined``.
    case declined = "AppointmentCallDeclined"
    /// ``AppointmentBusy``.
    case busy = "AppointmentBusy"
    /// ``AppointmentNoShow``.
    case noShow = "AppointmentNoShow"
}

/// One outgoing event: what the outbox stores and the hub publishes.
public enum CallEvent: Sendable, Equatable, Hashable {
    /// A call was requested.
    case requested(AppointmentCallRequested)
    /// The callee accepted.
    case accepted(AppointmentCallAccepted)
    /// A peer connected.
    case started(AppointmentCallStarted)
    /// The call ended.
    case ended(AppointmentCallEnded)
    /// The caller cancelled.
    case cancelled(AppointmentCallCancelled)
    /// The callee declined.
    case declined(AppointmentCallDeclined)
    /// A request was refused as busy.
    case busy(AppointmentBusy)
    /// The appointment was marked no-show.
    case noShow(AppointmentNoShow)

    /// Which kind of event this is.
    public var kind: CallEventKind {
        switch self {
        case .requested: .requested
        case .accepted: .accepted
        case .started: .started
        case .ended: .ended
        case .cancelled: .cancelled
        case .declined: .declined
        case .busy: .busy
        case .noShow: .noShow
        }
    }

    /// The event's class name, e.g. `AppointmentCallRequested` (what Echo's `.listen('.Name')` uses).
    public var shortName: String { kind.rawValue }

    /// The event name as Laravel publishes it: `namespace\ShortName`, e.g.
    /// `App\Events\AppointmentCallRequested` for the default namespace.
    public func fullName(namespace: String) -> String { namespace + "\\" + shortName }

    /// The appointment the event is about.
    public var appointmentId: Int64 {
        switch self {
        case .requested(let payload): payload.appointmentId
        case .accepted(let payload): payload.appointmentId
        case .started(let payload): payload.appointmentId
        case .ended(let payload): payload.appointmentId
        case .cancelled(let payload): payload.appointmentId
        case .declined(let payload): payload.appointmentId
        case .busy(let payload): payload.appointmentId
        case .noShow(let payload): payload.appointmentId
        }
    }

    /// The channel it is published on: `private-appointments.{appointmentId}`.
    public var channel: String { ChannelName.appointment(appointmentId).name }

    /// The payload as compact JSON: keys sorted, ids as numbers, callId a lowercase UUID string,
    /// times as ``ISOTimestamp`` text, slashes not escaped.
    public func jsonPayload() -> Data {
        let payload: any Encodable = switch self {
        case .requested(let payload): payload
        case .accepted(let payload): payload
        case .started(let payload): payload
        case .ended(let payload): payload
        case .cancelled(let payload): payload
        case .declined(let payload): payload
        case .busy(let payload): payload
        case .noShow(let payload): payload
        }
        do {
            return try ISOTimestamp.jsonEncoder().encode(payload)
        } catch {
            preconditionFailure("Event payloads hold only ids, strings and dates, which always encode: \(error)")
        }
    }
}
