import Foundation
import LocalServices
import Postgres
import Testing

/// A migrated database with one tenant, doctor and patient, plus helpers that add
/// appointments and call sessions and run `callctl` against it, for the job and config tests.
struct JobsWorld {
    let database: TestDatabase
    let connection: PGConnection
    let doctorUserId: Int64
    let patientUserId: Int64
    private let doctorId: Int64
    private let patientId: Int64

    init(_ label: String = #function) throws {
        let database = try TestDatabase(label)
        let connection = try database.migrated()
        let clinic = try ClinicSeed(on: connection)
        doctorUserId = clinic.doctorUserId
        patientUserId = clinic.patientUserId
        doctorId = clinic.doctorId
        patientId = clinic.patientId
        self.database = database
        self.connection = connection
    }

    /// Adds an appointment; returns its id.
    @discardableResult
    func appointment(_ scheduledAt: String, minutes: Int32 = 30, status: String = "scheduled", startedAt: String? = nil) throws -> Int64 {
        try connection.query("""
            INSERT INTO appointments (tenant_id, doctor_id, patient_id, scheduled_at, duration_minutes, status, started_at)
            SELECT tenant_id, $1, $2, $3::timestamptz, $4, $5, $6::timestamptz FROM users WHERE id = $7 RETURNING id
            """, doctorId, patientId, scheduledAt, minutes, status, startedAt, doctorUserId).first!.decode(Int64.self, "id")
    }

    /// Adds many due appointments at once (scheduled a day before `before`); returns their ids in job order.
    func dueAppointments(_ count: Int, before: String) throws -> [Int64] {
        try connection.query("""
            INSERT INTO appointments (tenant_id, doctor_id, patient_id, scheduled_at, duration_minutes)
            SELECT u.tenant_id, $1, $2, $3::timestamptz - interval '1 day' + g * interval '1 second', 30
            FROM generate_series(1, $4::int) g, users u WHERE u.id = $5 ORDER BY g RETURNING id
            """, doctorId, patientId, before, Int32(count), doctorUserId).rows.map { try $0.decode(Int64.self, "id") }
    }

    /// Adds a call session; timestamps are ISO-8601 text or nil.
    @discardableResult
    func session(_ appointment: Int64, _ state: String, requested: String, accepted: String? = nil, connected: String? = nil,
                 heartbeat: String? = nil, ended: String? = nil, reason: String? = nil) throws -> UUID {
        let id = UUID()
        try connection.query("""
            INSERT INTO call_sessions (id, appointment_id, state, end_reason, caller_user_id, callee_user_id, requested_at,
                                       accepted_at, connected_at, last_heartbeat_at, ended_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7::timestamptz, $8::timestamptz, $9::timestamptz, $10::timestamptz, $11::timestamptz)
            """, id, appointment, state, reason, doctorUserId, patientUserId, requested, accepted, connected, heartbeat, ended)
        return id
    }

    /// One text value of a query (NULL reads as nil).
    func value(_ sql: String, _ parameters: (any PGEncodable)?...) throws -> String? {
        try connection.query(sql, parameters).first?.decode(String?.self, at: 0)
    }

    /// A count.
    func count(_ sql: String, _ parameters: (any PGEncodable)?...) throws -> Int {
        Int(try connection.query(sql, parameters).first?.decode(Int64.self, at: 0) ?? -1)
    }

    /// An appointment's status.
    func status(_ id: Int64) throws -> String? {
        try value("SELECT status FROM appointments WHERE id = $1", id)
    }

    /// Runs `callctl` on this database, inside the test process.
    func run(_ arguments: [String]) async -> CommandRunner.Outcome {
        await InProcess.run(arguments, environment: ["DATABASE_URL": database.connectionString])
    }

    /// Runs `callctl … --format json` and decodes stdout as a JSON object.
    func runJSON(_ arguments: [String]) async throws -> (CommandRunner.Outcome, [String: Any]) {
        let outcome = await run(arguments + ["--format", "json"])
        return (outcome, try outcome.json())
    }

    /// The outbox rows of an appointment's channel, oldest first: (event, payload JSON).
    func outbox(_ appointment: Int64) throws -> [(event: String, payload: [String: Any])] {
        try connection.query("SELECT event, payload::text AS payload FROM outbox WHERE channel = $1 ORDER BY id",
                             "private-appointments.\(appointment)").rows.map { row in
            let payload = try JSONSerialization.jsonObject(with: Data(try row.decode(String.self, "payload").utf8))
            return (try row.decode(String.self, "event"), try #require(payload as? [String: Any]))
        }
    }

    /// The audit rows of an appointment, oldest first: (type, call id, payload JSON text).
    func audit(_ appointment: Int64) throws -> [(type: String, callId: String?, at: String, payload: String)] {
        try connection.query("""
            SELECT type, call_id::text AS call_id, at::text AS at, payload::text AS payload
            FROM appointment_call_events WHERE appointment_id = $1 ORDER BY id
            """, appointment).rows.map { row in
            (try row.decode(String.self, "type"), try row.decode(String?.self, "call_id"),
             try row.decode(String.self, "at"), try row.decode(String.self, "payload"))
        }
    }

    /// Every `no_show` appointment with exactly one audit row and one outbox event of its own,
    /// and no audit or outbox row for any other appointment: 0 when the trail is whole.
    func brokenNoShowTrails() throws -> Int {
        try count("""
            SELECT count(*) FROM appointments a
            WHERE (a.status = 'no_show') <> (
                (SELECT count(*) FROM appointment_call_events e WHERE e.appointment_id = a.id AND e.call_id IS NULL AND e.type = 'no_show') = 1
                AND (SELECT count(*) FROM outbox o WHERE o.channel = 'private-appointments.' || a.id
                     AND o.event = 'App\\Events\\AppointmentNoShow') = 1)
               OR (SELECT count(*) FROM appointment_call_events e WHERE e.appointment_id = a.id AND e.call_id IS NULL) > 1
            """)
    }
}

extension JobsWorld {
    /// The backend pid of a session waiting for a lock while running a statement like `pattern`.
    func backendWaitingOnLock(_ pattern: String) throws -> Int32? {
        try connection.backendsWaitingOnLock(pattern).first
    }

    /// True when the backend `pid` is gone (its client died and its transaction rolled back).
    func backendGone(_ pid: Int32) throws -> Bool {
        try count("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", pid) == 0
    }
}

extension BackgroundRun {
    /// Starts `callctl arguments` in the background on `world`'s database.
    convenience init(_ world: JobsWorld, _ arguments: [String]) throws {
        try self.init(databaseURL: world.database.connectionString, arguments)
    }
}

/// A `DATABASE_URL` that nothing listens on.
func unreachableDatabaseURL() throws -> String {
    "postgresql://callctl@127.0.0.1:\(try LocalHost.freePort())/nowhere?connect_timeout=3"
}
