import Foundation

/// The kinds of event published on an appointment's channel; the raw value is the short
/// (class) name. ``CallPlan`` names the kind it publishes; the payload type says it as
/// ``CallEventPayload/kind``.
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
    /// ``AppointmentCallPeerChanged``.
    case peerChanged = "AppointmentCallPeerChanged"
    /// ``AppointmentRecordingStarted``.
    case recordingStarted = "AppointmentRecordingStarted"
    /// ``AppointmentRecordingStopped``.
    case recordingStopped = "AppointmentRecordingStopped"
    /// ``AppointmentRecordingAvailable``.
    case recordingAvailable = "AppointmentRecordingAvailable"
    /// ``AppointmentRecordingDeleted``.
    case recordingDeleted = "AppointmentRecordingDeleted"
}

/// An event's payload: one type per event, which declares its kind and is encoded as the
/// event's JSON. A new event is such a type and its ``CallEventKind`` case.
public protocol CallEventPayload: Encodable, Sendable, Hashable {
    /// The kind of event this payload belongs to.
    static var kind: CallEventKind { get }
    /// `appointments.id`: the appointment the event is about.
    var appointmentId: Int64 { get }
}

/// One outgoing event: what the outbox stores and the hub publishes.
public struct CallEvent: Sendable, Hashable {
    /// The payload, encoded by ``jsonPayload()``.
    public let payload: any CallEventPayload

    /// Wraps a payload.
    public init(_ payload: some CallEventPayload) {
        self.payload = payload
    }

    /// Which kind of event this is.
    public var kind: CallEventKind { type(of: payload).kind }

    /// The event's class name, e.g. `AppointmentCallRequested` (what Echo's `.listen('.Name')` uses).
    public var shortName: String { kind.rawValue }

    /// The event name as Laravel publishes it: `namespace\ShortName`, e.g.
    /// `App\Events\AppointmentCallRequested` for the default namespace.
    public func fullName(namespace: String) -> String { namespace + "\\" + shortName }

    /// The appointment the event is about.
    public var appointmentId: Int64 { payload.appointmentId }

    /// The channel it is published on: `private-appointments.{appointmentId}`.
    public var channel: String { ChannelName.appointment(appointmentId).name }

    /// The payload as compact JSON: keys sorted, ids as numbers, callId a lowercase UUID string,
    /// times as ``ISOTimestamp`` text, slashes not escaped.
    public func jsonPayload() -> Data {
        do {
            return try ISOTimestamp.jsonEncoder().encode(payload)
        } catch {
            preconditionFailure("Event payloads hold only ids, strings and dates, which always encode: \(error)")
        }
    }

    /// Equal when the payloads are of the same type and equal.
    public static func == (lhs: CallEvent, rhs: CallEvent) -> Bool {
        AnyHashable(lhs.payload) == AnyHashable(rhs.payload)
    }

    /// Hashes the payload.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(AnyHashable(payload))
    }
}
