import CallDomain
import Foundation
import Postgres

/// The webhook's and the download's database side (docs/design.md, "Recordings"). Both lock
/// the appointment row first, as every call command does, so they serialize with the call's
/// writers and with `jobs purge-recordings`' clearing of `video_recording_url`.
public struct RecordingFileStore {
    private let connection: PGConnection

    /// Creates the store on a connection.
    public init(connection: PGConnection) {
        self.connection = connection
    }

    /// What an accepted announcement did.
    public enum Announced: Sendable, Equatable {
        /// Stored now, with its audit row and event.
        case stored
        /// Stored by an earlier delivery of the same announcement; nothing was written.
        case duplicate
    }

    /// The path `appointments.video_recording_url` points to while a recording is available:
    /// callctl's download route, which checks who asks and audits every download.
    public static func downloadPath(appointmentId: Int64) -> String {
        "/appointments/\(appointmentId)/recording"
    }

    /// Records the recording service's announcement `notice` (whose raw body hashes to
    /// `bodyHash`), received at `now` from `client`.
    /// - Throws: `DomainError` (`not_found`, `recording_conflict`; `consent_missing` after the
    ///   violation's audit row was committed), `PostgresError` otherwise.
    public func announce(_ notice: RecordingNotice, bodyHash: String, client: ClientInfo, now: Date) throws -> Announced {
        let now = now.wholeMicroseconds
        let (decision, outboxRows) = try connection.transaction { connection -> (RecordingArrival, Int) in
            guard try connection.query("SELECT 1 FROM appointments WHERE id = $1 FOR UPDATE", notice.appointmentId).first != nil else {
                throw CallPolicy.notFound(notice.appointmentId)
            }
            guard let row = try connection.query("""
                SELECT EXISTS (SELECT 1 FROM call_sessions WHERE id = $2 AND appointment_id = $1) AS call_of_appointment,
                       EXISTS (SELECT 1 FROM appointment_call_events
                               WHERE appointment_id = $1 AND call_id = $2 AND type = 'recording_started') AS recording_started,
                       (SELECT body_sha256 FROM recordings WHERE id = $3) AS stored_body_hash
                """, notice.appointmentId, notice.callId, notice.recordingId).first else { throw StoreError("the facts query returned no row") }
            let facts = RecordingArrivalFacts(
                callOfAppointment: try row.decode(Bool.self, "call_of_appointment"),
                recordingStarted: try row.decode(Bool.self, "recording_started"),
                storedBodyHash: try row.decode(String?.self, "stored_body_hash"), bodyHash: bodyHash)
            let decision = try RecordingArrivalRule.decide(notice, facts: facts)
            let details = AuditDetails(ip: client.ip, requestId: client.requestId, note: "recording \(notice.recordingId)")
            var statement = CombinedWrite()
            let change: RecordedChange
            switch decision {
            case .duplicate:
                return (decision, 0)
            case .violation:
                change = RecordedChange(appointmentId: notice.appointmentId, callId: notice.callId, audit: .recordingViolation,
                                        at: now, details: details, event: nil)
            case .store:
                statement.add([notice.recordingId, notice.appointmentId, notice.callId, notice.location, notice.sizeBytes,
                               Int64(notice.durationSeconds), bodyHash, now], expecting: 1, "recordings") { p in """
                    INSERT INTO recordings (id, appointment_id, call_id, storage_key, size_bytes, duration_seconds, body_sha256, received_at)
                    VALUES (\(p[0]), \(p[1]), \(p[2])::uuid, \(p[3]), \(p[4]), \(p[5]), \(p[6]), \(p[7])) RETURNING 1
                    """
                }
                statement.add([notice.appointmentId, Self.downloadPath(appointmentId: notice.appointmentId)],
                              expecting: 1, "appointments") { p in
                    "UPDATE appointments SET video_recording_url = \(p[1]), updated_at = now() WHERE id = \(p[0]) RETURNING 1"
                }
                change = RecordedChange(appointmentId: notice.appointmentId, callId: notice.callId, audit: .recordingAvailable,
                                        at: now, details: details, event: CallEvent(AppointmentRecordingAvailable(notice, at: now)))
            }
            let settings = try SettingsStore(connection: connection).resolve().settings
            let rows = try RecordedRows([change], eventNamespace: settings.eventNamespace)
            ChangeRecorder.add(rows, into: &statement, notify: false)
            try statement.execute(on: connection)
            return (decision, rows.outboxRows)
        }
        ChangeRecorder.notifyCommitted(outboxRows, on: connection)
        switch decision {
        case .store: return .stored
        case .duplicate: return .duplicate
        case .violation: throw RecordingArrivalRule.violation(notice)
        }
    }

    /// A download granted to a participant.
    public struct Download: Sendable, Equatable {
        public let recordingId: String
        public let callId: UUID
        /// The URL `sign` made for the object.
        public let url: String
    }

    /// Lets participant `actor` download appointment `appointmentId`'s newest available
    /// recording (or `recordingId`): the row is read `FOR SHARE`, so a purge running meanwhile
    /// skips it, `sign` turns its storage key into a URL, and the `recording_downloaded` audit
    /// row commits before the URL is returned.
    /// - Throws: `DomainError` `not_found` for anyone but a participant (whether or not a
    ///   recording exists) and when there is no recording; `PostgresError` otherwise; what
    ///   `sign` throws.
    public func download(appointmentId: Int64, recordingId: String?, actor: Int64, client: ClientInfo, now: Date,
                         sign: (String) throws -> String) throws -> Download {
        let now = now.wholeMicroseconds
        return try connection.transaction { connection in
            guard let row = try connection.query("""
                SELECT \(AppointmentColumns.select) FROM appointments a \(AppointmentColumns.joins) WHERE a.id = $1
                """, appointmentId).first else { throw CallPolicy.notFound(appointmentId) }
            let role = try RecordingAccess.downloader(actor, of: try AppointmentSnapshot(row: row))
            guard let file = try connection.query("""
                SELECT id, call_id, storage_key FROM recordings
                WHERE appointment_id = $1 AND purged_at IS NULL AND ($2::text IS NULL OR id = $2::text)
                ORDER BY received_at DESC, id DESC LIMIT 1 FOR SHARE
                """, appointmentId, recordingId).first else { throw RecordingAccess.noRecording(appointmentId) }
            let download = Download(recordingId: try file.decode(String.self, "id"), callId: try file.decode(UUID.self, "call_id"),
                                    url: try sign(try file.decode(String.self, "storage_key")))
            var statement = CombinedWrite()
            let change = RecordedChange(
                appointmentId: appointmentId, callId: download.callId, userId: actor, audit: .recordingDownloaded, at: now,
                details: AuditDetails(userAgent: client.userAgent, ip: client.ip, requestId: client.requestId,
                                      by: role.rawValue, note: "recording \(download.recordingId)"),
                event: nil)
            ChangeRecorder.add(try RecordedRows([change], eventNamespace: CallSettings.defaults.eventNamespace), into: &statement,
                               notify: false)
            try statement.execute(on: connection)
            return download
        }
    }
}
