import CallDomain
import Foundation
import Postgres

/// `callctl call end`: an operator ends a stuck call. Locks the appointment, then the session
/// (the order every writer uses), and ends it only if it is still open; the session UPDATE is
/// guarded by the state it read, and the audit row (`operator_end`, naming the operator), the
/// `AppointmentCallEnded` outbox row and the `NOTIFY` go with it.
public enum OperatorEnd {
    /// What happened.
    public enum Outcome: Sendable, Equatable {
        /// The call was open in `from` and is now ended as `operator`.
        case ended(appointmentId: Int64, from: CallState)
        /// The call had already ended, for `reason` at `at`: nothing was changed.
        case alreadyEnded(reason: String, at: Date?)
        /// No call has this id.
        case notFound
    }

    /// The longest `--by` and `--reason` kept in the audit row.
    public static let maximumTextLength = 200

    /// Ends call `callId` for `operatorName`, explained by `note`, at `now`.
    public static func run(callId: UUID, operatorName: String, note: String, now: Date, on connection: PGConnection) throws -> Outcome {
        let (outcome, outboxRows) = try connection.transaction { connection -> (Outcome, Int) in
            guard let owner = try connection.query("SELECT appointment_id FROM call_sessions WHERE id = $1", callId).first else {
                return (.notFound, 0)
            }
            let appointmentId = try owner.decode(Int64.self, "appointment_id")
            try connection.query("SELECT 1 FROM appointments WHERE id = $1 FOR UPDATE", appointmentId)
            guard let row = try connection.query("""
                SELECT \(SessionColumns.select), s.end_reason, s.ended_at FROM call_sessions s WHERE s.id = $1 FOR UPDATE
                """, callId).first else { return (.notFound, 0) }
            let session = try ClaimedSession(row: row)
            guard session.snapshot.state.isOpen else {
                return (.alreadyEnded(reason: try row.decode(String?.self, "end_reason") ?? "unknown",
                                      at: try row.decode(Date?.self, "ended_at")), 0)
            }
            let step = try session.snapshot.state.applying(.close(.operatorEnded))
            let settings = try SettingsStore(connection: connection).resolve().settings
            let change = RecordedChange(
                appointmentId: appointmentId, callId: callId, audit: .operatorEnd, at: now,
                details: AuditDetails(reason: .operatorEnded, from: session.snapshot.state.rawValue, to: step.to.rawValue,
                                      by: String(operatorName.prefix(maximumTextLength)), note: String(note.prefix(maximumTextLength))),
                event: CallEvent(AppointmentCallEnded(appointmentId: appointmentId, callId: callId, reason: .operatorEnded,
                                                   connectedAt: session.snapshot.connectedAt, at: now)))
            var statement = CombinedWrite()
            JobWrites.add([(id: callId, step: step)], now: now, into: &statement)
            let stop = RecordedChange.recordingStop(ending: session.snapshot, appointmentId: appointmentId,
                                                    details: AuditDetails(by: change.details.by), at: now)
            let rows = try RecordedRows([change] + (stop.map { [$0] } ?? []), eventNamespace: settings.eventNamespace)
            ChangeRecorder.add(rows, into: &statement, notify: false)
            try statement.execute(on: connection)
            return (.ended(appointmentId: appointmentId, from: session.snapshot.state), rows.outboxRows)
        }
        ChangeRecorder.notifyCommitted(outboxRows, on: connection)
        return outcome
    }
}
