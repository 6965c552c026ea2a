import Foundation

/// The recording service's announcement of a file (`POST /webhooks/recording`), validated.
public struct RecordingNotice: Sendable, Equatable {
    /// The service's id of the file: 1–128 of `A-Z a-z 0-9 . _ : -`; a retry sends the same.
    public let recordingId: String
    /// `appointments.id`.
    public let appointmentId: Int64
    /// The recorded call.
    public let callId: UUID
    /// The object's key in callctl's recording storage.
    public let location: String
    /// The file's size in bytes.
    public let sizeBytes: Int64
    /// The recording's length in seconds.
    public let durationSeconds: Int

    /// The largest file and the longest recording an announcement may name.
    public static let maximumSizeBytes: Int64 = 1 << 40
    public static let maximumDurationSeconds = 86_400

    /// Validates the fields.
    /// - Throws: `DomainError` (`validation`) naming the first bad field.
    public init(recordingId: String, appointmentId: Int64, callId: UUID, location: String, sizeBytes: Int64,
                durationSeconds: Int) throws(DomainError) {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-".utf8)
        guard (1...128).contains(recordingId.utf8.count), recordingId.utf8.allSatisfy(allowed.contains) else {
            throw DomainError(.validation, "recordingId must be 1 to 128 letters, digits, '.', '_', ':' or '-'.")
        }
        guard appointmentId > 0 else { throw DomainError(.validation, "appointmentId must be a positive integer.") }
        guard (0...Self.maximumSizeBytes).contains(sizeBytes) else {
            throw DomainError(.validation, "sizeBytes must be between 0 and \(Self.maximumSizeBytes).")
        }
        guard (0...Self.maximumDurationSeconds).contains(durationSeconds) else {
            throw DomainError(.validation, "durationSeconds must be between 0 and \(Self.maximumDurationSeconds).")
        }
        self.recordingId = recordingId
        self.appointmentId = appointmentId
        self.callId = callId
        self.location = location
        self.sizeBytes = sizeBytes
        self.durationSeconds = durationSeconds
    }
}

/// What the database says about an announcement, read with the appointment locked.
public struct RecordingArrivalFacts: Sendable, Equatable {
    /// The call exists and belongs to the announced appointment.
    public var callOfAppointment: Bool
    /// The call's recording was started (which needs both participants' consent).
    public var recordingStarted: Bool
    /// The body hash stored for this recording id by an earlier announcement, if any.
    public var storedBodyHash: String?
    /// This announcement's body hash.
    public var bodyHash: String

    /// Creates the facts.
    public init(callOfAppointment: Bool, recordingStarted: Bool, storedBodyHash: String?, bodyHash: String) {
        self.callOfAppointment = callOfAppointment
        self.recordingStarted = recordingStarted
        self.storedBodyHash = storedBodyHash
        self.bodyHash = bodyHash
    }
}

/// What to do with an announcement.
public enum RecordingArrival: Sendable, Equatable {
    /// Store the file, with its audit row and ``AppointmentRecordingAvailable``.
    case store
    /// A retry of an announcement already stored: answer as before, write nothing.
    case duplicate
    /// A file of a call nobody consented to record: audit it as a violation, then refuse.
    case violation
}

/// The webhook's rules (docs/design.md, "Recordings"): a file is accepted only for a call of
/// the announced appointment whose recording was started (so both participants consented); a
/// retry with the same body is a duplicate; the same id with another body is a conflict.
public enum RecordingArrivalRule {
    /// Decides an announcement.
    /// - Throws: `DomainError`: `not_found` (no such call on that appointment),
    ///   `recording_conflict` (the id was announced with other contents).
    public static func decide(_ notice: RecordingNotice, facts: RecordingArrivalFacts) throws(DomainError) -> RecordingArrival {
        guard facts.callOfAppointment else {
            throw DomainError(.notFound, "Appointment \(notice.appointmentId) has no call \(notice.callId.uuidString.lowercased()).")
        }
        if let stored = facts.storedBodyHash {
            guard stored == facts.bodyHash else {
                throw DomainError(.recordingConflict, "Recording \(notice.recordingId) was already announced with other contents; "
                                  + "announce a new file under a new recordingId.")
            }
            return .duplicate
        }
        return facts.recordingStarted ? .store : .violation
    }

    /// The refusal of a ``RecordingArrival/violation``.
    public static func violation(_ notice: RecordingNotice) -> DomainError {
        DomainError(.consentMissing, "Call \(notice.callId.uuidString.lowercased()) was never recorded with both participants' "
                    + "consent; the file was refused and the announcement audited as a violation. Delete it at the recording service.")
    }
}

/// The retention rule: a recording is deleted once it is older than `recording.retention`, the
/// value of the appointment's tenant when it has its own (`config set recording.retention 7y
/// --tenant ID`), else the clinic-wide one.
public struct RetentionRule: Sendable, Equatable {
    /// The clinic-wide retention in seconds (`settings`).
    public let seconds: Int
    /// Tenants with a retention of their own, in seconds.
    public let byTenant: [Int64: Int]

    /// The rule of `settings`, with `byTenant`'s own values.
    public init(_ settings: CallSettings, byTenant: [Int64: Int] = [:]) {
        seconds = settings.recordingRetentionSeconds
        self.byTenant = byTenant
    }

    /// The retention of a recording of an appointment of `tenant`.
    public func seconds(tenant: Int64?) -> Int {
        tenant.flatMap { byTenant[$0] } ?? seconds
    }

    /// Recordings of `tenant` received before this instant are due.
    public func cutoff(now: Date, tenant: Int64?) -> Date {
        now.addingTimeInterval(-TimeInterval(seconds(tenant: tenant)))
    }

    /// The latest cutoff of any tenant (the shortest retention's): no recording received at or
    /// after it is due, whatever its tenant.
    public func latestCutoff(now: Date) -> Date {
        now.addingTimeInterval(-TimeInterval(([seconds] + byTenant.values).min() ?? seconds))
    }

    /// Whether a recording of `tenant` received at `receivedAt` is due at `now` (strictly older
    /// than its retention).
    public func isDue(receivedAt: Date, tenant: Int64?, now: Date) -> Bool {
        receivedAt < cutoff(now: now, tenant: tenant)
    }
}

/// Who may download a recording: the appointment's two participants, nobody else. Everybody
/// else gets the answer an unknown appointment gets (`not_found`), so nobody else learns whether
/// a recording exists. Tenant admins are deliberately not included: no role widens access to a
/// patient's recording; a clinic that needs a file asks its operators, who read the storage
/// key with `callctl recordings show`.
public enum RecordingAccess {
    /// The actor's role on the appointment.
    /// - Throws: `DomainError` (`not_found`) for anyone but the two participants.
    public static func downloader(_ actor: Int64, of appointment: AppointmentSnapshot) throws(DomainError) -> ParticipantRole {
        try CallPolicy.participantRole(of: actor, on: appointment)
    }

    /// The refusal when the appointment has no recording to download.
    public static func noRecording(_ appointmentId: Int64) -> DomainError {
        DomainError(.notFound, "Appointment \(appointmentId) has no recording available (none was made, or it was deleted after its retention).")
    }
}
