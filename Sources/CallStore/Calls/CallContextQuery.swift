import CallDomain
import Foundation
import Postgres

/// Everything a call command needs, read in one round trip with the appointment row locked
/// (`FOR UPDATE`), so commands on one appointment run one after the other on every daemon.
struct CallSnapshot {
    let context: CallContext
    /// `users.name` of the actor; empty when the user row is missing.
    let actorName: String
    let openSessionPeers: (caller: String?, callee: String?)
    let settings: SettingsResolution

    /// `SELECT … FOR UPDATE` of the appointment, its doctor, its open session, whether the
    /// actor's counterpart is in another open call, the actor's name and the settings rows.
    static let sql = """
        SELECT a.id, a.tenant_id, coalesce(d.user_id, 0) AS doctor_user_id, coalesce(p.user_id, 0) AS patient_user_id,
               a.status, a.scheduled_at, a.duration_minutes, a.started_at,
               coalesce(d.status, 'inactive') AS doctor_status, d.license_valid_until,
               (SELECT u.name FROM users u WHERE u.id = $2::bigint) AS actor_name,
               s.id AS s_id, s.state AS s_state, s.caller_user_id AS s_caller_user_id, s.callee_user_id AS s_callee_user_id,
               s.requested_at AS s_requested_at, s.accepted_at AS s_accepted_at, s.connected_at AS s_connected_at,
               s.last_heartbeat_at AS s_last_heartbeat_at, s.caller_peer_id AS s_caller_peer_id, s.callee_peer_id AS s_callee_peer_id,
               EXISTS (SELECT 1 FROM call_sessions o
                       WHERE o.state <> 'ended' AND o.appointment_id <> a.id
                         AND (o.caller_user_id = c.callee OR o.callee_user_id = c.callee)) AS callee_busy,
               (SELECT coalesce(json_agg(json_build_array(key, value::text)), '[]') FROM settings)::text AS settings
        FROM appointments a
        LEFT JOIN doctors d ON d.id = a.doctor_id
        LEFT JOIN patients p ON p.id = a.patient_id
        LEFT JOIN call_sessions s ON s.appointment_id = a.id AND s.state <> 'ended'
        CROSS JOIN LATERAL (SELECT CASE WHEN d.user_id = $2::bigint THEN p.user_id ELSE d.user_id END AS callee) c
        WHERE a.id = $1::bigint
        FOR UPDATE OF a
        """

    /// Reads and locks appointment `appointmentId` for `actor`.
    /// - Throws: `DomainError` (`not_found`) when there is no such appointment.
    static func read(appointmentId: Int64, actor: Int64, on connection: PGConnection) throws -> CallSnapshot {
        guard let row = try connection.query(sql, appointmentId, actor).first else {
            throw DomainError(.notFound, "Appointment \(appointmentId) does not exist.")
        }
        let doctorText = try row.decode(String.self, "doctor_status")
        guard let doctorStatus = DoctorStatus(rawValue: doctorText) else {
            throw PostgresError(.decoding, "doctor status \"\(doctorText)\" is not one callctl knows")
        }
        let license = try row.decode(String?.self, "license_valid_until")
        let doctor = DoctorSnapshot(status: doctorStatus, licenseValidUntil: license.flatMap(CalendarDay.init))
        let hasSession = try row.decode(UUID?.self, "s_id") != nil
        let session = hasSession ? try CallSessionSnapshot(row: row, prefix: "s_") : nil
        let context = CallContext(
            actorUserId: actor, appointment: try AppointmentSnapshot(row: row), doctor: doctor,
            openSession: session, calleeHasOtherOpenCall: try row.decode(Bool.self, "callee_busy"))
        return CallSnapshot(
            context: context, actorName: try row.decode(String?.self, "actor_name") ?? "",
            openSessionPeers: hasSession
                ? (try row.decode(String?.self, "s_caller_peer_id"), try row.decode(String?.self, "s_callee_peer_id")) : (nil, nil),
            settings: SettingsStore.resolve(pairsJSON: try row.decode(String.self, "settings")))
    }
}
