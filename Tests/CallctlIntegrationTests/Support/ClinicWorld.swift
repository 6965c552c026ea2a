import Foundation
import Postgres
import Testing

/// A migrated clinic database (``JobsWorld``: one doctor, one patient) that a daemon serves,
/// spawned (``ServeWorld``) or in the test process (``RouterWorld``): its people, appointments
/// scheduled relative to now, tokens, and what the lifecycle wrote.
protocol ClinicWorld {
    var world: JobsWorld { get }
}

extension ClinicWorld {
    /// The doctor's and the patient's `users.id`.
    var doctor: Int64 { world.doctorUserId }
    var patient: Int64 { world.patientUserId }

    /// An HS256 token for `user`.
    func token(_ user: Int64, jti: String? = nil) throws -> String { try ServeToken.hs256(user: user, jti: jti) }

    /// Adds an appointment scheduled `minutes` from now (negative: in the past) for the clinic's
    /// doctor and patient, or the given `doctors.id` / `patients.id`; returns its id.
    func appointment(in minutes: Int = 0, duration: Int32 = 30, status: String = "scheduled",
                     doctor: Int64? = nil, patient: Int64? = nil) throws -> Int64 {
        try world.connection.query("""
            INSERT INTO appointments (tenant_id, doctor_id, patient_id, scheduled_at, duration_minutes, status)
            SELECT u.tenant_id, coalesce($1, d.id), coalesce($2, p.id), now() + $3::int * interval '1 minute', $4, $5
            FROM users u, doctors d, patients p WHERE u.id = $6 AND d.user_id = $6 AND p.user_id = $7 RETURNING id
            """, doctor, patient, Int32(minutes), duration, status, world.doctorUserId, world.patientUserId)
            .first!.decode(Int64.self, "id")
    }

    /// Adds a user with a `doctors` or `patients` row (`role` is "doctor" or "patient");
    /// returns the user id and the row id.
    func person(_ role: String) throws -> (userId: Int64, id: Int64) {
        let name = "\(role)-\(UInt32.random(in: 0...UInt32.max))"
        let userId = try world.connection.query("""
            INSERT INTO users (tenant_id, name, email, role) SELECT tenant_id, $1, $1 || '@example.test', $2 FROM users
            WHERE id = $3 RETURNING id
            """, name, role, world.doctorUserId).first!.decode(Int64.self, "id")
        let id = try world.connection.query("INSERT INTO \(role)s (user_id) VALUES ($1) RETURNING id", userId)
            .first!.decode(Int64.self, "id")
        return (userId, id)
    }

    /// What the database holds for an appointment: its sessions as `state[ end_reason]`, the audit
    /// types and the outbox event names, oldest first.
    func trail(_ appointment: Int64) throws -> (sessions: [String], audit: [String], events: [String]) {
        let sessions = try world.connection.query(
            "SELECT state || coalesce(' ' || end_reason, '') AS s FROM call_sessions WHERE appointment_id = $1 ORDER BY requested_at",
            appointment).rows.map { try $0.decode(String.self, "s") }
        return (sessions, try world.audit(appointment).map(\.type), try world.outbox(appointment).map(\.event))
    }

    /// The audit payloads of an appointment as JSON objects, oldest first.
    func auditPayloads(_ appointment: Int64) throws -> [[String: Any]] {
        try world.audit(appointment).map { row in
            try #require(try JSONSerialization.jsonObject(with: Data(row.payload.utf8)) as? [String: Any])
        }
    }
}
