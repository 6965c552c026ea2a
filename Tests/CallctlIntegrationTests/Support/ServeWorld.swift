import Foundation
import Postgres
import Testing

/// A clinic database (``JobsWorld``: one doctor, one patient) with a running `callctl serve`,
/// appointments scheduled relative to now, and the lifecycle calls as the browser makes them.
/// The daemon is stopped with SIGTERM when the world is dropped (unless a test stopped it).
final class ServeWorld {
    let world: JobsWorld
    let server: ServeProcess

    /// The doctor's and the patient's `users.id`.
    var doctor: Int64 { world.doctorUserId }
    var patient: Int64 { world.patientUserId }

    /// A migrated clinic, then `callctl serve arguments` with `environment` on it; `prepare` runs
    /// on the database before the daemon starts.
    init(_ arguments: [String] = [], environment: [String: String?] = [:], label: String = #function,
         prepare: (JobsWorld) throws -> Void = { _ in }) throws {
        world = try JobsWorld(label)
        try prepare(world)
        server = try ServeProcess.start(world.database, arguments, environment: environment)
    }

    deinit { _ = try? server.stop() }

    /// The full outbox event name, e.g. `App\Events\AppointmentCallEnded` for `CallEnded`.
    static func event(_ name: String) -> String { "App\\Events\\Appointment" + name }

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

    /// `POST /appointments/{appointment}/call/{action}` as `user` with `callId` and `peerId` when given.
    func call(_ action: String, _ appointment: Int64, as user: Int64, callId: String? = nil, peerId: String? = nil) throws -> ServeResponse {
        var body: [String: Any] = [:]
        if let callId { body["callId"] = callId }
        if let peerId { body["peerId"] = peerId }
        return try server.request("POST", "/appointments/\(appointment)/call/\(action)", token: try token(user), json: body)
    }

    /// `GET /appointments/{appointment}/call` (or a sub-resource) as `user`.
    func get(_ appointment: Int64, _ suffix: String = "", as user: Int64) throws -> ServeResponse {
        try server.request("GET", "/appointments/\(appointment)/call\(suffix)", token: try token(user))
    }

    /// The doctor rings the patient; returns the new callId (records an issue and throws unless 200).
    func ring(_ appointment: Int64, peerId: String? = nil) throws -> String {
        let response = try call("request", appointment, as: doctor, peerId: peerId)
        #expect(response.status == 200, "\(response.text)")
        return try #require(response.json["callId"] as? String, "\(response.text)")
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

/// A JSON object's values as text (`5`, `doctor`), for comparing nested event payloads whose
/// numbers may come back as `NSNumber`.
func texts(_ object: Any?) -> [String: String]? {
    (object as? [String: Any])?.mapValues { "\($0)" }
}

/// A call view as `state appointmentStatus endReason callerPeerId calleePeerId` ("-" for what
/// is absent) followed by the stamps it has, e.g. `ringing scheduled - doctor-1 - requestedAt`.
func callSummary(_ json: [String: Any]) -> String {
    let values = ["state", "appointmentStatus", "endReason", "callerPeerId", "calleePeerId"].map { json[$0] as? String ?? "-" }
    let stamps = ["requestedAt", "acceptedAt", "connectedAt", "endedAt"].filter { json[$0] is String }
    return (values + stamps).joined(separator: " ")
}

/// Runs `body(0)`, `body(1)`, … `body(count - 1)` at once on threads of their own; returns the
/// results in index order.
func simultaneously<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) -> T) -> [T] {
    let results = SimultaneousResults<T>()
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        Thread {
            let value = body(index)
            results.lock.withLock { results.values[index] = value }
            group.leave()
        }.start()
    }
    group.wait()
    return (0..<count).map { results.values[$0]! }
}

/// The results of ``simultaneously(_:_:)``, filled in under a lock.
private final class SimultaneousResults<T>: @unchecked Sendable {
    let lock = NSLock()
    var values: [Int: T] = [:]
}
