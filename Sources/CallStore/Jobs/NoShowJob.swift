import CallDomain
import Foundation
import Postgres

/// `jobs no-show`: marks `no_show` every appointment whose access window closed with nobody
/// joining (``NoShowRule``), and ends its open call session with `window_closed`.
///
/// Rows are claimed with `FOR UPDATE SKIP LOCKED` in batches of ``JobParameters/batchSize``,
/// one transaction per batch holding the updates, their audit rows and outbox rows and the
/// `NOTIFY`. Any number of runners may work at once: each row is changed exactly once, a
/// killed runner leaves no half-done change, and a rerun finds nothing left to do.
public struct NoShowJob: BatchJob {
    /// The job's name in reports, logs and metrics.
    public static let name = "no_show"

    private let connection: PGConnection
    private let parameters: JobParameters

    /// Creates the job on a connection.
    public init(connection: PGConnection, parameters: JobParameters) {
        self.connection = connection
        self.parameters = parameters
    }

    /// Marks every due appointment; `progress` hears each committed batch.
    public func run(progress: (JobBatch) -> Void = { _ in }) throws -> NoShowOutcome {
        try execute(dryRun: false, progress: progress)
    }

    /// What ``run(progress:)`` would change now, read in one snapshot without locking or writing.
    public func preview(progress: (JobBatch) -> Void = { _ in }) throws -> NoShowOutcome {
        try execute(dryRun: true, progress: progress)
    }

    private typealias Marked = (appointments: [Int64], sessions: [UUID])

    private func execute(dryRun: Bool, progress: (JobBatch) -> Void) throws -> NoShowOutcome {
        var outcome = NoShowOutcome()
        try BatchLoop.run(on: connection, dryRun: dryRun, from: NoShowQueries.start, batch: { connection, key in
            try batch(after: key, write: !dryRun, on: connection)
        }, committed: { step, batch in
            outcome.markedAppointmentIds += step.value.appointments
            outcome.closedSessionIds += step.value.sessions
            outcome.outboxRows += step.outboxRows
            outcome.batches += 1
            progress(batch)
        })
        return outcome
    }

    private func batch(after key: ScanKey<Int64>, write: Bool, on connection: PGConnection) throws -> BatchStep<ScanKey<Int64>, Marked>? {
        let (now, settings) = (parameters.now, parameters.settings)
        let rows = try connection.query(write ? NoShowQueries.claim : NoShowQueries.peek,
                                        NoShowRule.cutoff(now: now, settings: settings), key.at, key.id, parameters.batchSize).rows
        guard let last = rows.last else { return nil }
        let next = ScanKey(at: try last.decode(String.self, "scheduled_at"), id: try last.decode(Int64.self, "id"))
        let due = try rows.map(AppointmentSnapshot.init(row:)).filter { NoShowRule.isDue($0, settings: settings, now: now) }
        let ids = due.map(\.id)
        let sessions = ids.isEmpty ? [] : try connection.query(
            write ? NoShowQueries.lockOpenSessions : NoShowQueries.readOpenSessions, PGInt64Array(ids: ids)
        ).rows.map(ClaimedSession.init(row:))
        let steps = try sessions.map { session in (session, try session.snapshot.state.applying(NoShowRule.sessionAction)) }
        var outboxRows = 0
        if write {
            // The events' JSON is built while the server updates the appointments; the rest
            // of the batch's writes then go in one statement.
            let changes = try steps.flatMap { session, step in
                try session.endedByJob(Self.name, step: step, audit: .recorded(forEnd: try step.requiredEndReason()), at: now)
            } + due.map(marking)
            let namespace = settings.eventNamespace
            let prepared = Concurrently { try RecordedRows(changes, eventNamespace: namespace) }
            try JobWrites.apply(NoShowRule.transition, to: ids, now: now, on: connection)
            var statement = CombinedWrite()
            JobWrites.add(steps.map { (id: $0.0.snapshot.id, step: $0.1) }, now: now, into: &statement)
            let recorded = try prepared.value()
            ChangeRecorder.add(recorded, into: &statement)
            try statement.execute(on: connection)
            outboxRows = recorded.outboxRows
        }
        return BatchStep(next: next, claimed: rows.count, value: (ids, sessions.map(\.snapshot.id)),
                         changed: ids.count + sessions.count, outboxRows: outboxRows)
    }

    private func marking(_ appointment: AppointmentSnapshot) -> RecordedChange {
        RecordedChange(
            appointmentId: appointment.id, audit: NoShowRule.audit, at: parameters.now,
            details: AuditDetails(job: Self.name, from: appointment.status.rawValue, to: NoShowRule.transition.target.rawValue),
            event: CallEvent(AppointmentNoShow(appointmentId: appointment.id, at: parameters.now)))
    }
}
