import Foundation

/// The recording started: ``CallEventKind/recordingStarted``.
public enum RecordingStart: ParticipantAction {
    /// ``CallEventKind/recordingStarted``.
    public static let kind = CallEventKind.recordingStarted
}

/// `AppointmentRecordingStarted {appointmentId, callId, by:{id,role}, at}`: the other side's
/// "recording" badge goes on.
public typealias AppointmentRecordingStarted = ParticipantActed<RecordingStart>

/// `AppointmentRecordingStopped {appointmentId, callId, by:{id,role}, reason, at}`: the badge
/// goes off; `reason` is `stopped` or `consent_withdrawn`.
public struct AppointmentRecordingStopped: CallEventPayload {
    /// ``CallEventKind/recordingStopped``.
    public static let kind = CallEventKind.recordingStopped
    /// `appointments.id`.
    public let appointmentId: Int64
    /// The callId as a lowercase UUID string.
    public let callId: String
    /// Who stopped it, or whose withdrawal stopped it.
    public let by: EventBy
    /// ``RecordingStopReason``'s raw value.
    public let reason: String
    /// When it stopped.
    public let at: Date

    /// Creates the payload.
    public init(appointmentId: Int64, callId: UUID, by: EventBy, reason: RecordingStopReason, at: Date) {
        self.appointmentId = appointmentId
        self.callId = callId.uuidString.lowercased()
        self.by = by
        self.reason = reason.rawValue
        self.at = at
    }
}

/// Why a recording stopped.
public enum RecordingStopReason: String, Sendable, Equatable {
    /// A participant stopped it.
    case stopped
    /// A participant withdrew consent while it ran.
    case consentWithdrawn = "consent_withdrawn"
}
