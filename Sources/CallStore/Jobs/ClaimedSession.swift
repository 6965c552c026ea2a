import CallDomain
import Foundation
import Postgres

/// A claimed call session with the appointment it belongs to.
struct ClaimedSession {
    let appointmentId: Int64
    let snapshot: CallSessionSnapshot

    /// Decodes the columns of ``SessionColumns``.
    init(row: PGRow) throws {
        appointmentId = try row.decode(Int64.self, "appointment_id")
        snapshot = try CallSessionSnapshot(row: row)
    }
}

extension ClaimedSession {
    /// The changes a job records when it ends this session with `step`: the audit row of type
    /// `audit` (details: the job, the end reason, the states, and `appointment` when the
    /// appointment's status changed with it) and ``AppointmentCallEnded``, then the recording's
    /// stop when the call was recorded.
    func endedByJob(_ job: String, step: CallStep, audit: AuditEventType, appointment: AppointmentStatus? = nil,
                    at now: Date) throws -> [RecordedChange] {
        let reason = try step.requiredEndReason()
        let ended = RecordedChange(
            appointmentId: appointmentId, callId: snapshot.id, audit: audit, at: now,
            details: AuditDetails(job: job, reason: reason, from: snapshot.state.rawValue, to: step.to.rawValue,
                                  appointment: appointment),
            event: CallEvent(AppointmentCallEnded(appointmentId: appointmentId, callId: snapshot.id, reason: reason,
                                               connectedAt: snapshot.connectedAt, at: now)))
        let stop = RecordedChange.recordingStop(ending: snapshot, appointmentId: appointmentId, details: AuditDetails(job: job), at: now)
        return [ended] + (stop.map { [$0] } ?? [])
    }
}
