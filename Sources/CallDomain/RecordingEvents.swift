import Foundation

/// The recording started: ``CallEventKind/recordingStarted``.
public enum RecordingStart: ParticipantAction {
    /// ``CallEventKind/recordingStarted``.
    public static let kind = CallEventKind.recordingStarted
}

/// `AppointmentRecordingStarted {appointmentId, callId, by:{id,role}, at}`: the other side's
/// "recording" badge goes on.
public typealias AppointmentRecordingStarted = ParticipantActed<RecordingStart>

/// `AppointmentRecordingStopped {appointmentId, callId, by:{id,role}|null, reason, at}`: the
/// badge goes off; `reason` is `stopped`, `consent_withdrawn` or `call_ended` (then `by` is
/// null: the call's own end event says who or what ended it).
public struct AppointmentRecordingStopped: CallEventPayload {
    /// ``CallEventKind/recordingStopped``.
    public static let kind = CallEventKind.recordingStopped
    /// `appointments.id`.
    public let appointmentId: Int64
    /// The callId as a lowercase UUID string.
    public let callId: String
    /// Who stopped it, or whose withdrawal stopped it; nil when the call's end stopped it.
    @NullWhenAbsent public private(set) var by: EventBy?
    /// ``RecordingStopReason``'s raw value.
    public let reason: String
    /// When it stopped.
    public let at: Date

    /// Creates the payload.
    public init(appointmentId: Int64, callId: UUID, by: EventBy?, reason: RecordingStopReason, at: Date) {
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
    /// The call ended while it was recorded (hang-up, reaper, no-show, operator).
    case callEnded = "call_ended"
}

/// `AppointmentRecordingAvailable {appointmentId, callId, recordingId, sizeBytes,
/// durationSeconds, at}`: the recording service stored a file; participants download it with
/// `GET /appointments/{id}/recording`. The storage location is never published.
public struct AppointmentRecordingAvailable: CallEventPayload {
    /// ``CallEventKind/recordingAvailable``.
    public static let kind = CallEventKind.recordingAvailable
    /// `appointments.id`.
    public let appointmentId: Int64
    /// The callId as a lowercase UUID string.
    public let callId: String
    /// The recording service's id of the file.
    public let recordingId: String
    /// The file's size.
    public let sizeBytes: Int64
    /// The recording's length.
    public let durationSeconds: Int
    /// When callctl received the announcement.
    public let at: Date

    /// Creates the payload from an accepted announcement.
    public init(_ notice: RecordingNotice, at: Date) {
        appointmentId = notice.appointmentId
        callId = notice.callId.uuidString.lowercased()
        recordingId = notice.recordingId
        sizeBytes = notice.sizeBytes
        durationSeconds = notice.durationSeconds
        self.at = at
    }
}

/// `AppointmentRecordingDeleted {appointmentId, callId, recordingId, reason, at}`: the
/// recording's file is gone; `reason` is `retention` (``RetentionRule``).
public struct AppointmentRecordingDeleted: CallEventPayload {
    /// ``CallEventKind/recordingDeleted``.
    public static let kind = CallEventKind.recordingDeleted
    /// `appointments.id`.
    public let appointmentId: Int64
    /// The callId as a lowercase UUID string.
    public let callId: String
    /// The recording service's id of the file.
    public let recordingId: String
    /// Why it was deleted.
    public let reason: String
    /// When it was deleted.
    public let at: Date

    /// Creates the payload.
    public init(appointmentId: Int64, callId: UUID, recordingId: String, at: Date) {
        self.appointmentId = appointmentId
        self.callId = callId.uuidString.lowercased()
        self.recordingId = recordingId
        reason = "retention"
        self.at = at
    }
}
