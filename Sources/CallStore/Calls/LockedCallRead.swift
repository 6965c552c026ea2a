import CallDomain
import Foundation
import Postgres

/// Everything a call command needs, read with the appointment row locked, so commands on one
/// appointment run one after the other on every daemon and against the cron jobs.
///
/// The lock is taken first, by a statement of its own (``lock``); the read (``sql``) follows
/// in a fresh statement. Under READ COMMITTED a statement sees what was committed before it
/// began, so the read sees whatever a job or another command wrote while this one waited for
/// the lock. (Reading in the locking statement would not: PostgreSQL re-reads only the locked
/// row after the wait, not the LEFT JOINed session, and a command would act on a session a
/// job had just ended.) For `request` the caller's and the callee's user locks are taken in
/// between (``lockUsers``), so two requests ringing the same user serialize and the second
/// sees the first's session: "nobody is rung while in another call" is a guarantee, not a check.
struct LockedCallRead {
    let facts: CallFacts
    /// `users.name` of the actor; empty when the user row is missing.
    let actorName: String
    let openSessionPeers: (caller: String?, callee: String?)
    let settings: SettingsResolution

    /// Locks the appointment row and returns its participants' user ids (0 when missing).
    static let lock = """
        SELECT coalesce(d.user_id, 0) AS doctor_user_id, coalesce(p.user_id, 0) AS patient_user_id
        FROM appointments a
        LEFT JOIN doctors d ON d.id = a.doctor_id
        LEFT JOIN patients p ON p.id = a.patient_id
        WHERE a.id = $1::bigint
        FOR UPDATE OF a
        """

    /// Transaction-scoped advisory locks of two users, always in ascending id order (the
    /// caller passes them sorted), so two requests never wait on each other in a cycle.
    static let lockUsers = """
        SELECT pg_advisory_xact_lock(hashtextextended('callctl.user.' || $1::bigint, 0)),
               pg_advisory_xact_lock(hashtextextended('callctl.user.' || $2::bigint, 0))
        """

    /// The appointment, its doctor, its open session, whether the actor's counterpart is in
    /// another open call, whether the actor already joined the open session, the actor's name
    /// and the settings rows.
    static let sql = """
        SELECT a.id, a.tenant_id, coalesce(d.user_id, 0) AS doctor_user_id, coalesce(p.user_id, 0) AS patient_user_id,
               a.status, a.scheduled_at, a.duration_minutes, a.started_at,
               coalesce(d.status, 'inactive') AS doctor_status, d.license_valid_until,
               (SELECT u.name FROM users u WHERE u.id = $2::bigint) AS actor_name,
               s.id AS s_id, s.state AS s_state, s.caller_user_id AS s_caller_user_id, s.callee_user_id AS s_callee_user_id,
               s.requested_at AS s_requested_at, s.accepted_at AS s_accepted_at, s.connected_at AS s_connected_at,
               s.last_heartbeat_at AS s_last_heartbeat_at, s.caller_peer_id AS s_caller_peer_id, s.callee_peer_id AS s_callee_peer_id,
               s.recording_since AS s_recording_since,
               EXISTS (SELECT 1 FROM call_sessions o
                       WHERE o.state <> 'ended' AND o.appointment_id <> a.id
                         AND (o.caller_user_id = c.callee OR o.callee_user_id = c.callee)) AS callee_busy,
               EXISTS (SELECT 1 FROM appointment_call_events e
                       WHERE e.appointment_id = a.id AND e.call_id = s.id AND e.user_id = $2::bigint AND e.type = 'join') AS actor_joined,
               (SELECT coalesce(json_agg(json_build_array(key, value::text)), '[]') FROM settings)::text AS settings
        FROM appointments a
        LEFT JOIN doctors d ON d.id = a.doctor_id
        LEFT JOIN patients p ON p.id = a.patient_id
        LEFT JOIN call_sessions s ON s.appointment_id = a.id AND s.state <> 'ended'
        CROSS JOIN LATERAL (SELECT CASE WHEN d.user_id = $2::bigint THEN p.user_id ELSE d.user_id END AS callee) c
        WHERE a.id = $1::bigint
        """

    /// Reads and locks appointment `appointmentId` for `actor`.
    /// - Throws: `DomainError` (`not_found`) when there is no such appointment.
    /// With `lockingUsers`, the participants' user locks are taken too (for `request`).
    static func read(appointmentId: Int64, actor: Int64, lockingUsers: Bool, on connection: PGConnection) throws -> LockedCallRead {
        guard let locked = try connection.query(lock, appointmentId).first else { throw CallPolicy.notFound(appointmentId) }
        if lockingUsers {
            let users = [try locked.decode(Int64.self, "doctor_user_id"), try locked.decode(Int64.self, "patient_user_id")].sorted()
            try connection.query(lockUsers, users[0], users[1])
        }
        guard let row = try connection.query(sql, appointmentId, actor).first else { throw CallPolicy.notFound(appointmentId) }
        return try LockedCallRead(row: row, actor: actor)
    }
}

extension LockedCallRead {
    /// The snapshot in a row of ``sql``.
    init(row: PGRow, actor: Int64) throws {
        let doctorText = try row.decode(String.self, "doctor_status")
        guard let doctorStatus = DoctorStatus(rawValue: doctorText) else {
            throw PostgresError(.decoding, "doctor status \"\(doctorText)\" is not one callctl knows")
        }
        let license = try row.decode(String?.self, "license_valid_until")
        let doctor = DoctorSnapshot(status: doctorStatus, licenseValidUntil: license.flatMap(CalendarDay.init))
        let hasSession = try row.decode(UUID?.self, "s_id") != nil
        let session = hasSession ? try CallSessionSnapshot(row: row, prefix: "s_") : nil
        let facts = CallFacts(
            actorUserId: actor, appointment: try AppointmentSnapshot(row: row), doctor: doctor,
            openSession: session, calleeHasOtherOpenCall: try row.decode(Bool.self, "callee_busy"),
            actorHasJoined: try row.decode(Bool.self, "actor_joined"))
        self.init(
            facts: facts, actorName: try row.decode(String?.self, "actor_name") ?? "",
            openSessionPeers: hasSession
                ? (try row.decode(String?.self, "s_caller_peer_id"), try row.decode(String?.self, "s_callee_peer_id")) : (nil, nil),
            settings: SettingsStore.resolve(pairsJSON: try row.decode(String.self, "settings")))
    }
}
