import CallDomain
import Foundation
import Postgres

/// The columns the jobs and the call API select for an appointment, in this order, as `a`, with
/// `d` and `p` the left-joined doctor and patient (a dangling reference reads as user 0, which
/// is nobody's id; the jobs' rules never look at participants).
enum AppointmentColumns {
    static let select = """
        a.id, a.tenant_id, coalesce(d.user_id, 0) AS doctor_user_id, coalesce(p.user_id, 0) AS patient_user_id,
        a.status, a.scheduled_at, a.duration_minutes, a.started_at
        """
    static let joins = """
        LEFT JOIN doctors d ON d.id = a.doctor_id
        LEFT JOIN patients p ON p.id = a.patient_id
        """
}

/// The columns the jobs and the call API select for a call session, as `s`.
enum SessionColumns {
    static let select = """
        s.id, s.appointment_id, s.state, s.caller_user_id, s.callee_user_id, s.requested_at,
        s.accepted_at, s.connected_at, s.last_heartbeat_at, s.recording_since
        """
}

extension AppointmentSnapshot {
    /// Decodes the columns of ``AppointmentColumns``.
    init(row: PGRow) throws {
        let statusText = try row.decode(String.self, "status")
        guard let status = AppointmentStatus(rawValue: statusText) else {
            throw PostgresError(.decoding, "appointment status \"\(statusText)\" is not one callctl knows")
        }
        self.init(id: try row.decode(Int64.self, "id"), tenantId: try row.decode(Int64.self, "tenant_id"),
                  doctorUserId: try row.decode(Int64.self, "doctor_user_id"),
                  patientUserId: try row.decode(Int64.self, "patient_user_id"),
                  status: status, scheduledAt: try row.decode(Date.self, "scheduled_at"),
                  durationMinutes: Int(try row.decode(Int32.self, "duration_minutes")),
                  startedAt: try row.decode(Date?.self, "started_at"))
    }
}

extension CallSessionSnapshot {
    /// Decodes the columns of ``SessionColumns`` (but `appointment_id`), each named `prefix` +
    /// the column name.
    init(row: PGRow, prefix: String = "") throws {
        let stateText = try row.decode(String.self, prefix + "state")
        guard let state = CallState(rawValue: stateText) else {
            throw PostgresError(.decoding, "call state \"\(stateText)\" is not one callctl knows")
        }
        self.init(
            id: try row.decode(UUID.self, prefix + "id"), state: state,
            callerUserId: try row.decode(Int64.self, prefix + "caller_user_id"),
            calleeUserId: try row.decode(Int64.self, prefix + "callee_user_id"),
            requestedAt: try row.decode(Date.self, prefix + "requested_at"),
            acceptedAt: try row.decode(Date?.self, prefix + "accepted_at"),
            connectedAt: try row.decode(Date?.self, prefix + "connected_at"),
            lastHeartbeatAt: try row.decode(Date?.self, prefix + "last_heartbeat_at"),
            recordingSince: try row.decode(Date?.self, prefix + "recording_since"))
    }
}
