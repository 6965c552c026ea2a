import CallDomain
import Foundation
import Postgres

/// `jobs reap`: ends call sessions that outlived their timeout (``ReaperRule``: ringing →
/// `timeout_no_answer`, accepted → `connect_timeout`, in_call → `heartbeat_lost`, which also
/// completes the appointment), then completes `in_progress` appointments left without a call
/// (``ZombieAppointmentRule``).
///
/// Batches, locking and crash safety are those of ``NoShowJob``.
public struct ReapJob: BatchJob {
    /// The job's name in reports, logs and metrics.
    public static let name = "reap"

    private let connection: PGConnection
    private let parameters: JobParameters

    /// Creates the job on a connection.
    public init(connection: PGConnection, parameters: JobParameters) {
        self.connection = connection
        self.parameters = parameters
    }

    /// Reaps sessions, then zombie appointments; `progress` hears each committed batch.
    public func run(progress: (JobBatch) -> Void = { _ in }) throws -> ReapOutcome {
        try execute(dryRun: false, progress: progress)
    }

    /// What ``run(progress:)`` would change now, read without locking or writing.
    public func preview(progress: (JobBatch) -> Void = { _ in }) throws -> ReapOutcome {
        try execute(dryRun: true, progress: progress)
    }

    private struct Closing {
        let session: ClaimedSession
        let verdict: ReapVerdict
    }

    private func execute(dryRun: Bool, progress: (JobBatch) -> Void) throws -> ReapOutcome {
        var outcome = ReapOutcome()
        try BatchLoop.run(on: connection, dryRun: dryRun, from: ReapQueries.sessionStart, sorts: false, batch: { connection, key in
            try sessionBatch(after: key, write: !dryRun, on: connection)
        }, committed: { step, batch in
            for closing in step.value {
                if let reason = closing.verdict.reason { outcome.closedByReason[reason, default: 0] += 1 }
                outcome.closedSessionIds.append(closing.session.snapshot.id)
                if closing.verdict.appointment != nil { outcome.completedAppointmentIds.append(closing.session.appointmentId) }
            }
            outcome.outboxRows += step.outboxRows
            outcome.batches += 1
            progress(batch)
        })
        try BatchLoop.run(on: connection, dryRun: dryRun, from: Int64(0), batch: { connection, key in
            try zombieBatch(after: key, write: !dryRun, on: connection)
        }, committed: { step, batch in
            outcome.zombieAppointmentIds += step.value
            outcome.batches += 1
            progress(batch)
        })
        return outcome
    }

    private func sessionBatch(after key: ScanKey<String>, write: Bool, on connection: PGConnection) throws -> BatchStep<ScanKey<String>, [Closing]>? {
        let (now, settings) = (parameters.now, parameters.settings)
        let cutoffs = [CallState.ringing, .accepted, .inCall].map { ReaperRule.cutoff(for: $0, settings: settings, now: now) }
        let rows = try connection.query(write ? ReapQueries.claimSessions : ReapQueries.peekSessions,
                                        cutoffs[0], cutoffs[1], cutoffs[2], key.at, key.id, parameters.batchSize,
                                        ReaperRule.maxCallCutoff(settings: settings, now: now)).rows
        guard let last = rows.last else { return nil }
        let next = ScanKey(at: try last.decode(String.self, "requested_at"), id: try last.decode(String.self, "id"))
        let closings = try rows.compactMap { row -> Closing? in
            let session = try ClaimedSession(row: row)
            let status = AppointmentStatus(rawValue: try row.decode(String.self, "appointment_status"))
            return ReaperRule.verdict(for: session.snapshot, appointmentStatus: status, settings: settings, now: now)
                .map { Closing(session: session, verdict: $0) }
        }
        var outboxRows = 0
        if write {
            let changes = try closings.flatMap { closing in
                try closing.session.endedByJob(Self.name, step: closing.verdict.step, audit: closing.verdict.audit,
                                               appointment: closing.verdict.appointment?.target, at: now)
            }
            let namespace = settings.eventNamespace
            let prepared = Concurrently { try RecordedRows(changes, eventNamespace: namespace) }
            try JobWrites.apply(closings.map { (id: $0.session.snapshot.id, step: $0.verdict.step) }, now: now, on: connection)
            var statement = CombinedWrite()
            let completing = Dictionary(grouping: closings.compactMap { closing in
                closing.verdict.appointment.map { ($0, closing.session.appointmentId) }
            }, by: \.0)
            for (transition, group) in completing {
                JobWrites.add(transition, to: group.map(\.1), now: now, into: &statement)
            }
            let recorded = try prepared.value()
            ChangeRecorder.add(recorded, into: &statement)
            try statement.execute(on: connection)
            outboxRows = recorded.outboxRows
        }
        return BatchStep(next: next, claimed: rows.count, value: closings, changed: closings.count, outboxRows: outboxRows)
    }

    private func zombieBatch(after key: Int64, write: Bool, on connection: PGConnection) throws -> BatchStep<Int64, [Int64]>? {
        let (now, settings) = (parameters.now, parameters.settings)
        let rows = try connection.query(write ? ReapQueries.claimZombies : ReapQueries.peekZombies,
                                        ZombieAppointmentRule.cutoff(now: now, settings: settings), key, parameters.batchSize).rows
        guard let last = rows.last else { return nil }
        let next = try last.decode(Int64.self, "id")
        let appointments = try rows.map(AppointmentSnapshot.init(row:))
        var activity: [Int64: (open: Bool, lastEnded: Date?)] = [:]
        for row in try connection.query(ReapQueries.sessionActivity, PGInt64Array(ids: appointments.map(\.id))).rows {
            activity[try row.decode(Int64.self, "appointment_id")] =
                (try row.decode(Bool.self, "has_open_session"), try row.decode(Date?.self, "last_ended_at"))
        }
        let zombies = appointments.filter { appointment in
            let facts = activity[appointment.id] ?? (false, nil)
            return ZombieAppointmentRule.isDue(appointment, hasOpenSession: facts.open, lastSessionEndedAt: facts.lastEnded,
                                               settings: settings, now: now)
        }
        if write {
            let changes = zombies.map { appointment in
                RecordedChange(appointmentId: appointment.id, audit: ZombieAppointmentRule.audit, at: now,
                               details: AuditDetails(job: Self.name, from: appointment.status.rawValue,
                                                     to: ZombieAppointmentRule.transition.target.rawValue),
                               event: nil)
            }
            var statement = CombinedWrite()
            JobWrites.add(ZombieAppointmentRule.transition, to: zombies.map(\.id), now: now, into: &statement)
            ChangeRecorder.add(try RecordedRows(changes, eventNamespace: settings.eventNamespace), into: &statement)
            try statement.execute(on: connection)
        }
        return BatchStep(next: next, claimed: rows.count, value: zombies.map(\.id), changed: zombies.count, outboxRows: 0)
    }
}
