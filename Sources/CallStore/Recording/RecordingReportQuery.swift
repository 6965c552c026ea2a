import CallDomain
import Foundation
import Postgres

/// Where a recording file stands against `recording.retention`, decided in this order: purged;
/// a purge attempted and failed; past its due time; else available.
public enum RecordingFileStatus: String, Sendable, Equatable, Encodable, CaseIterable {
    case available
    case overdue
    case purgeFailing = "purge_failing"
    case purged
}

/// A participant's download of a recording file: a `recording_downloaded` audit row.
public struct RecordingDownload: Sendable, Equatable, Encodable {
    public let at: Date
    @NullWhenAbsent public var userId: Int64?
    /// `doctor` or `patient`, as the download route decided it.
    @NullWhenAbsent public var role: String?
    @NullWhenAbsent public var ip: String?
    @NullWhenAbsent public var userAgent: String?
}

/// One recording file: where it is, its size and length, its retention and its downloads.
public struct RecordingFile: Sendable, Equatable, Encodable {
    /// The recording service's id of the file.
    public let recordingId: String
    public let appointmentId: Int64
    public let callId: String
    public let status: RecordingFileStatus
    /// The object's key in the recording storage; null once purged.
    @NullWhenAbsent public var location: String?
    public let sizeBytes: Int64
    public let durationSeconds: Int
    public let receivedAt: Date
    /// `received_at` + its tenant's `recording.retention`: from then on `jobs purge-recordings` deletes it.
    public let purgeDueAt: Date
    @NullWhenAbsent public var purgedAt: Date?
    /// The purge's failed attempts.
    public let purgeAttempts: Int
    /// The storage's answer to the last failed attempt.
    @NullWhenAbsent public var purgeError: String?
    /// Oldest first.
    public var downloads: [RecordingDownload]
}

/// One recording audit row of a call other than a download: a consent (note `granted` or
/// `withdrawn`), a start, a stop (note: its reason), a file announced (`recording_available`),
/// refused (`recording_violation`) or purged (`recording_deleted`).
public struct RecordingStep: Sendable, Equatable, Encodable {
    public let at: Date
    public let type: String
    /// Null for the webhook's and the jobs' rows.
    @NullWhenAbsent public var userId: Int64?
    /// `doctor` or `patient` when `userId` is one of the appointment's participants.
    @NullWhenAbsent public var role: String?
    @NullWhenAbsent public var note: String?
    /// The file a step is about (from its note `recording <id>`).
    @NullWhenAbsent public var recordingId: String?
}

/// A participant's latest consent to record a call.
public struct RecordingConsent: Sendable, Equatable, Encodable {
    public let granted: Bool
    public let at: Date
}

/// The two participants' latest consents to record a call: null when never given.
public struct RecordingConsents: Sendable, Equatable, Encodable {
    @NullWhenAbsent public var doctor: RecordingConsent?
    @NullWhenAbsent public var patient: RecordingConsent?
}

/// One call's recording: consents, what happened, whether it is recorded now, and its files.
public struct RecordingCallReport: Sendable, Equatable, Encodable {
    public let callId: String
    public let state: String
    public let requestedAt: Date
    /// Non-null while the call is being recorded.
    @NullWhenAbsent public var recordingSince: Date?
    public let consents: RecordingConsents
    /// Oldest first.
    public let steps: [RecordingStep]
    /// Oldest first.
    public let files: [RecordingFile]
}

/// Everything about one appointment's recordings (`callctl recordings show`).
public struct RecordingReport: Sendable, Equatable, Encodable {
    public let appointmentId: Int64
    public let tenantId: Int64
    public let status: String
    public let doctorUserId: Int64
    public let patientUserId: Int64
    /// The appointment's `recording.retention` (its tenant's own, or the clinic-wide one) the purge due times were computed with.
    public let retentionSeconds: Int
    /// The calls with any recording activity, oldest first; empty when there is none.
    public let calls: [RecordingCallReport]
}

/// The filters of `callctl recordings list`; nil is a filter not given.
public struct RecordingListFilter: Sendable, Equatable {
    /// Files received or purged at or after this instant.
    public var since: Date?
    public var appointmentId: Int64?
    public var status: RecordingFileStatus?
    /// At most this many files, newest first.
    public var limit: Int

    public init(since: Date? = nil, appointmentId: Int64? = nil, status: RecordingFileStatus? = nil, limit: Int = 100) {
        self.since = since
        self.appointmentId = appointmentId
        self.status = status
        self.limit = limit
    }
}

/// The reads behind `callctl recordings list` and `show`: parameterized statements on the
/// primary keys and `recordings_appointment_idx`, `call_sessions_appointment_idx` and
/// `appointment_call_events_appointment_idx`. A file's status is decided in SQL (so `--status`
/// filters on the same rule it prints), against each file's tenant's ``RetentionRule``.
public enum RecordingReportQuery {
    /// `$1` now, `$6`-`$8` ``RetentionSQL``'s parameters.
    static let fileRows = """
        SELECT id, appointment_id, call_id::text AS call_id, storage_key, size_bytes, duration_seconds, received_at, purged_at,
               purge_attempts, purge_error, status, retention_seconds
        FROM (SELECT r.*, k.retention_seconds,
                     CASE WHEN r.purged_at IS NOT NULL THEN 'purged' WHEN r.purge_attempts > 0 THEN 'purge_failing'
                          WHEN r.received_at < $1::timestamptz - make_interval(secs => k.retention_seconds) THEN 'overdue'
                          ELSE 'available' END AS status
              FROM recordings r
              CROSS JOIN LATERAL (SELECT \(RetentionSQL.seconds(tenants: "$6", seconds: "$7", global: "$8")) AS retention_seconds) k
              WHERE ($2::bigint IS NULL OR r.appointment_id = $2::bigint)
                AND ($3::timestamptz IS NULL OR r.received_at >= $3::timestamptz OR r.purged_at >= $3::timestamptz)) f
        WHERE ($4::text IS NULL OR status = $4::text)
        ORDER BY received_at DESC, id
        LIMIT $5
        """

    static let auditRows = """
        SELECT at, type, call_id::text AS call_id, user_id, payload->>'note' AS note, payload->>'by' AS by_role,
               payload->>'ip' AS ip, payload->>'userAgent' AS user_agent
        FROM appointment_call_events
        WHERE appointment_id = ANY($1::bigint[]) AND type = ANY($2::text[]) AND call_id IS NOT NULL
        ORDER BY at, id
        """

    static let appointment = """
        SELECT a.tenant_id, a.status, d.user_id AS doctor_user_id, p.user_id AS patient_user_id
        FROM appointments a JOIN doctors d ON d.id = a.doctor_id JOIN patients p ON p.id = a.patient_id
        WHERE a.id = $1
        """

    static let sessions = """
        SELECT id::text AS call_id, state, requested_at, recording_since FROM call_sessions WHERE appointment_id = $1
        ORDER BY requested_at, id
        """

    static let consents = """
        SELECT c.call_id::text AS call_id, c.user_id, c.granted, c.at
        FROM recording_consents c JOIN call_sessions s ON s.id = c.call_id WHERE s.appointment_id = $1
        """

    /// The audit types of a call's recording steps (downloads are listed with their file).
    static let stepTypes: [AuditEventType] = [.recordingConsent, .recordingStarted, .recordingStopped, .recordingAvailable,
                                              .recordingViolation, .recordingDeleted]

    /// The files matching `filter`, newest first, with their downloads.
    public static func files(_ filter: RecordingListFilter, settings: CallSettings, now: Date,
                             on connection: PGConnection) throws -> [RecordingFile] {
        try files(now: now, rule: TenantSettingsStore(connection: connection).retentionRule(settings),
                  appointmentId: filter.appointmentId, since: filter.since, status: filter.status, limit: filter.limit, on: connection)
    }

    /// Appointment `appointmentId`'s recording activity.
    /// - Returns: nil when there is no such appointment.
    public static func report(appointmentId: Int64, settings: CallSettings, now: Date,
                              on connection: PGConnection) throws -> RecordingReport? {
        guard let row = try connection.query(appointment, appointmentId).first else { return nil }
        let doctor = try row.decode(Int64.self, "doctor_user_id"), patient = try row.decode(Int64.self, "patient_user_id")
        let role = { (user: Int64?) -> String? in user == doctor ? "doctor" : user == patient ? "patient" : nil }
        let rule = try TenantSettingsStore(connection: connection).retentionRule(settings)
        let tenant = try row.decode(Int64.self, "tenant_id")
        let files: [RecordingFile] = try Self.files(now: now, rule: rule, appointmentId: appointmentId, since: nil, status: nil,
                                                    limit: nil, on: connection).reversed()
        var consents: [String: [Int64: RecordingConsent]] = [:]
        for row in try connection.query(Self.consents, appointmentId).rows {
            consents[try row.decode(String.self, "call_id"), default: [:]][try row.decode(Int64.self, "user_id")] =
                RecordingConsent(granted: try row.decode(Bool.self, "granted"), at: try row.decode(Date.self, "at"))
        }
        let types = PGTextArray(strings: stepTypes.map(\.rawValue))
        let steps = try connection.query(auditRows, PGInt64Array(ids: [appointmentId]), types).rows.map { row in
            let userId = try row.decode(Int64?.self, "user_id"), note = try row.decode(String?.self, "note")
            return (callId: try row.decode(String.self, "call_id"),
                    step: RecordingStep(at: try row.decode(Date.self, "at"), type: try row.decode(String.self, "type"),
                                        userId: userId, role: role(userId), note: note, recordingId: recordingId(inNote: note)))
        }
        let calls = try connection.query(sessions, appointmentId).rows.compactMap { row -> RecordingCallReport? in
            let callId = try row.decode(String.self, "call_id")
            let call = RecordingCallReport(
                callId: callId, state: try row.decode(String.self, "state"), requestedAt: try row.decode(Date.self, "requested_at"),
                recordingSince: try row.decode(Date?.self, "recording_since"),
                consents: RecordingConsents(doctor: consents[callId]?[doctor], patient: consents[callId]?[patient]),
                steps: steps.filter { $0.callId == callId }.map(\.step), files: files.filter { $0.callId == callId })
            let active = call.recordingSince != nil || consents[callId] != nil || !call.steps.isEmpty || !call.files.isEmpty
            return active ? call : nil
        }
        return RecordingReport(appointmentId: appointmentId, tenantId: tenant,
                               status: try row.decode(String.self, "status"), doctorUserId: doctor, patientUserId: patient,
                               retentionSeconds: rule.seconds(tenant: tenant), calls: calls)
    }

    private static func files(now: Date, rule: RetentionRule, appointmentId: Int64?, since: Date?, status: RecordingFileStatus?,
                              limit: Int?, on connection: PGConnection) throws -> [RecordingFile] {
        let arguments: [(any PGEncodable)?] = [now, appointmentId, since, status?.rawValue, limit] + RetentionSQL.parameters(rule)
        var files = try connection.query(fileRows, arguments).rows.map { row in
            let receivedAt = try row.decode(Date.self, "received_at")
            let statusText = try row.decode(String.self, "status")
            guard let status = RecordingFileStatus(rawValue: statusText) else { throw StoreError("unknown recording status \(statusText)") }
            return RecordingFile(
                recordingId: try row.decode(String.self, "id"), appointmentId: try row.decode(Int64.self, "appointment_id"),
                callId: try row.decode(String.self, "call_id"), status: status,
                location: try row.decode(String?.self, "storage_key"), sizeBytes: try row.decode(Int64.self, "size_bytes"),
                durationSeconds: try row.decode(Int.self, "duration_seconds"), receivedAt: receivedAt,
                purgeDueAt: receivedAt.addingTimeInterval(TimeInterval(try row.decode(Int64.self, "retention_seconds"))), purgedAt: try row.decode(Date?.self, "purged_at"),
                purgeAttempts: try row.decode(Int.self, "purge_attempts"), purgeError: try row.decode(String?.self, "purge_error"),
                downloads: [])
        }
        guard !files.isEmpty else { return files }
        let appointments = Array(Set(files.map(\.appointmentId))).sorted()
        var downloads: [String: [RecordingDownload]] = [:]
        for row in try connection.query(auditRows, PGInt64Array(ids: appointments),
                                        PGTextArray(strings: [AuditEventType.recordingDownloaded.rawValue])).rows {
            guard let id = recordingId(inNote: try row.decode(String?.self, "note")) else { continue }
            downloads[id, default: []].append(RecordingDownload(
                at: try row.decode(Date.self, "at"), userId: try row.decode(Int64?.self, "user_id"),
                role: try row.decode(String?.self, "by_role"), ip: try row.decode(String?.self, "ip"),
                userAgent: try row.decode(String?.self, "user_agent")))
        }
        for index in files.indices { files[index].downloads = downloads[files[index].recordingId] ?? [] }
        return files
    }

    /// `rec-1` of the audit note `recording rec-1`.
    private static func recordingId(inNote note: String?) -> String? {
        guard let note, note.hasPrefix("recording ") else { return nil }
        return String(note.dropFirst("recording ".count))
    }
}
