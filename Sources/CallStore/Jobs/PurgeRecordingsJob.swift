import CallDomain
import Foundation
import Postgres

/// `jobs purge-recordings`: deletes recordings older than `recording.retention`, their
/// tenant's own or the clinic-wide one (``RetentionRule``), from the storage, then clears their location.
///
/// Each batch is claimed `FOR UPDATE SKIP LOCKED` (a concurrent runner, or a download being
/// granted, holds its rows and they are skipped), each object is deleted at the storage, and
/// only the recordings whose object is gone are marked purged, with their `recording_deleted`
/// audit rows and ``AppointmentRecordingDeleted`` events, in the batch's transaction; an
/// appointment's `video_recording_url` is cleared when no recording of it is left. A deletion
/// the storage refuses leaves its row as it was, but for its attempt count and error, so the
/// next run tries again; the run reports it and exits 1. A crash after a deletion but before
/// the commit leaves the row, and the next run's deletion of the object already gone succeeds.
public struct PurgeRecordingsJob: BatchJob {
    /// The job's name in reports, logs and metrics.
    public static let name = "purge_recordings"

    private let connection: PGConnection
    private let parameters: JobParameters

    /// Creates the job on a connection.
    public init(connection: PGConnection, parameters: JobParameters) {
        self.connection = connection
        self.parameters = parameters
    }

    /// Deletes due recordings; `progress` hears each committed batch.
    public func run(progress: (JobBatch) -> Void = { _ in }) throws -> PurgeOutcome {
        guard let storage = parameters.recordingObjects else {
            throw StoreError("jobs purge-recordings needs the recording storage (CALLCTL_RECORDING_STORAGE)")
        }
        return try execute(storage: storage, progress: progress)
    }

    /// What ``run(progress:)`` would delete now, read without locking, writing or touching the storage.
    public func preview(progress: (JobBatch) -> Void = { _ in }) throws -> PurgeOutcome {
        try execute(storage: nil, progress: progress)
    }

    private struct Due {
        let id: String
        let appointmentId: Int64
        let callId: UUID
        let key: String
    }

    private func execute(storage: (any RecordingObjectDeleter)?, progress: (JobBatch) -> Void) throws -> PurgeOutcome {
        var outcome = PurgeOutcome()
        let rule = try TenantSettingsStore(connection: connection).retentionRule(parameters.settings)
        try BatchLoop.run(on: connection, dryRun: storage == nil, from: PurgeQueries.start, batch: { connection, key in
            try batch(after: key, rule: rule, storage: storage, on: connection)
        }, committed: { step, batch in
            outcome.deletedRecordingIds += step.value.deleted
            outcome.failures += step.value.failed
            outcome.outboxRows += step.outboxRows
            outcome.batches += 1
            progress(batch)
        })
        return outcome
    }

    private func batch(after key: ScanKey<String>, rule: RetentionRule, storage: (any RecordingObjectDeleter)?,
                       on connection: PGConnection) throws -> BatchStep<ScanKey<String>, (deleted: [String], failed: [PurgeFailure])>? {
        let now = parameters.now
        let arguments: [(any PGEncodable)?] = [rule.latestCutoff(now: now), key.at, key.id, parameters.batchSize, now]
            + RetentionSQL.parameters(rule)
        let rows = try connection.query(storage == nil ? PurgeQueries.peek : PurgeQueries.claim, arguments).rows
        guard let last = rows.last else { return nil }
        let next = ScanKey(at: try last.decode(String.self, "received_at"), id: try last.decode(String.self, "id"))
        let due = try rows.filter { row in
            rule.isDue(receivedAt: try row.decode(Date.self, "received_at"), tenant: try row.decode(Int64?.self, "tenant_id"), now: now)
        }.map { row in
            Due(id: try row.decode(String.self, "id"), appointmentId: try row.decode(Int64.self, "appointment_id"),
                callId: try row.decode(UUID.self, "call_id"), key: try row.decode(String.self, "storage_key"))
        }
        guard let storage else {
            return BatchStep(next: next, claimed: rows.count, value: (due.map(\.id), []), changed: due.count, outboxRows: 0)
        }
        var deleted: [Due] = []
        var failed: [PurgeFailure] = []
        for recording in due {
            do {
                try storage.deleteObject(key: recording.key)
                deleted.append(recording)
            } catch {
                failed.append(PurgeFailure(recordingId: recording.id, appointmentId: recording.appointmentId,
                                           error: String(String(describing: error).prefix(500))))
            }
        }
        let appointments = Array(Set(deleted.map(\.appointmentId))).sorted()
        var clearing: [Int64] = []
        if !appointments.isEmpty {
            try connection.query(PurgeQueries.lockAppointments, PGInt64Array(ids: appointments))
            let kept = Set(try connection.query(PurgeQueries.stillRecorded, PGInt64Array(ids: appointments),
                                                PGTextArray(strings: deleted.map(\.id))).rows.map { try $0.decode(Int64.self, "appointment_id") })
            clearing = appointments.filter { !kept.contains($0) }
        }
        var statement = CombinedWrite()
        if !deleted.isEmpty {
            statement.add([PGTextArray(strings: deleted.map(\.id)), now], expecting: deleted.count, "recordings") { p in """
                UPDATE recordings SET purged_at = \(p[1]), storage_key = NULL, purge_error = NULL
                WHERE id = ANY(\(p[0])::text[]) AND purged_at IS NULL RETURNING 1
                """
            }
        }
        if !clearing.isEmpty {
            statement.add([PGInt64Array(ids: clearing)], expecting: clearing.count, "appointments") { p in """
                UPDATE appointments SET video_recording_url = NULL, updated_at = now() WHERE id = ANY(\(p[0])::bigint[]) RETURNING 1
                """
            }
        }
        if !failed.isEmpty {
            statement.add([PGTextArray(strings: failed.map(\.recordingId)), PGTextArray(strings: failed.map(\.error))],
                          expecting: failed.count, "recordings") { p in """
                UPDATE recordings AS r SET purge_attempts = r.purge_attempts + 1, purge_error = f.error
                FROM unnest(\(p[0])::text[], \(p[1])::text[]) AS f(id, error) WHERE r.id = f.id AND r.purged_at IS NULL RETURNING 1
                """
            }
        }
        let changes = deleted.map { recording in
            RecordedChange(appointmentId: recording.appointmentId, callId: recording.callId, audit: .recordingDeleted, at: now,
                           details: AuditDetails(job: Self.name, note: "recording \(recording.id)"),
                           event: CallEvent(AppointmentRecordingDeleted(appointmentId: recording.appointmentId, callId: recording.callId,
                                                                        recordingId: recording.id, at: now)))
        }
        let recorded = try RecordedRows(changes, eventNamespace: parameters.settings.eventNamespace)
        ChangeRecorder.add(recorded, into: &statement)
        try statement.execute(on: connection)
        return BatchStep(next: next, claimed: rows.count, value: (deleted.map(\.id), failed), changed: deleted.count,
                         outboxRows: recorded.outboxRows)
    }
}
