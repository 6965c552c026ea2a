import CallStore
import Foundation
import Postgres
import Testing

@Suite("Migrations on a real database", .serialized)
struct MigrationTests {
    private static let designTables = ["tenants", "users", "doctors", "patients", "appointments", "call_sessions",
                                       "appointment_call_events", "outbox", "settings", "schema_migrations",
                                       "hub_daemons", "hub_subscriptions", "hub_messages", "outbox_external",
                                       "job_runs", "appointment_channel_log", "ice_server_health", "broker_peers", "broker_messages", "recording_consents",
                                       "recordings", "webhook_targets", "webhook_events", "tenant_settings"]

    private func tables(_ connection: PGConnection) throws -> Set<String> {
        Set(try connection.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").rows.map { try $0.decode(String.self, "tablename") })
    }

    @Test("up on an empty database creates every table of docs/design.md; a second run is a no-op")
    func upAndIdempotent() throws {
        let connection = try TestDatabase().connect()
        let migrator = Migrator(connection: connection)
        let applied = try migrator.up()
        #expect(applied.map(\.version) == MigrationCatalog.all.map(\.version))
        #expect(try tables(connection) == Set(Self.designTables))
        #expect(try migrator.up().isEmpty)
        let status = try migrator.status()
        #expect(status.pending.isEmpty && status.changed.isEmpty && status.unknown.isEmpty)
        #expect(status.applied.count == MigrationCatalog.all.count)
    }

    @Test("the partial unique index allows one open call per appointment, any number of ended ones")
    func oneActiveCall() throws {
        let connection = try TestDatabase().migrated()
        let clinic = try ClinicSeed(on: connection)
        let appointment = try connection.query("""
            INSERT INTO appointments (tenant_id, doctor_id, patient_id, scheduled_at) VALUES ($1, $2, $3, now()) RETURNING id
            """, clinic.tenantId, clinic.doctorId, clinic.patientId).first!.decode(Int64.self, "id")
        func call(_ state: String, _ reason: String?) throws(PostgresError) {
            try connection.query("""
                INSERT INTO call_sessions (id, appointment_id, state, end_reason, caller_user_id, callee_user_id, requested_at)
                VALUES ($1, $2, $3, $4, $5, $6, now())
                """, UUID(), appointment, state, reason, clinic.doctorUserId, clinic.patientUserId)
        }
        try call("ended", "declined")
        try call("ended", "hangup")
        try call("ringing", nil)
        do {
            try call("accepted", nil)
            Issue.record("a second open call was accepted")
        } catch {
            #expect(error.isUniqueViolation)
        }
        #expect(throws: PostgresError.self) { try call("ended", nil) }
    }

    @Test("an edited migration is refused by name and nothing further is applied")
    func changedMigrationRefused() throws {
        let connection = try TestDatabase().connect()
        let migrator = Migrator(connection: connection, catalog: Array(MigrationCatalog.all.prefix(3)))
        try migrator.up()
        try connection.query("UPDATE schema_migrations SET checksum = $1 WHERE version = $2", "0000", Int64(2))
        do {
            try Migrator(connection: connection).up()
            Issue.record("a changed migration was accepted")
        } catch let error as MigrationError {
            #expect(error.description.contains("0002 appointments"))
            #expect(error.description.contains("was changed after it was applied"))
        }
        #expect(try Migrator(connection: connection).status().currentVersion == 3)
        #expect(try !tables(connection).contains("outbox"))
    }

    @Test("down --to reverts newest first, then up applies again")
    func downThenUp() throws {
        let connection = try TestDatabase().connect()
        let migrator = Migrator(connection: connection)
        try migrator.up()
        let reverted = try migrator.down(to: 2)
        #expect(reverted.map(\.version) == [17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3])
        #expect(try tables(connection) == ["tenants", "users", "doctors", "patients", "appointments", "schema_migrations"])
        #expect(throws: MigrationError.self) { try migrator.down(to: 5) }
        try migrator.down(to: 0)
        #expect(try tables(connection) == ["schema_migrations"])
        #expect(try migrator.up().count == MigrationCatalog.all.count)
    }

    @Test("an existing Laravel schema is adopted: missing columns added, data kept, down leaves it in place")
    func adoptsApplicationTables() throws {
        let connection = try TestDatabase().connect()
        try connection.execute("""
            CREATE TABLE users (id bigserial PRIMARY KEY, name varchar(255) NOT NULL, email varchar(255) NOT NULL UNIQUE,
                                password varchar(255) NOT NULL, remember_token varchar(100));
            INSERT INTO users (name, email, password) VALUES ('Existing', 'e@clinic.test', 'hash');
            """)
        let migrator = Migrator(connection: connection)
        try migrator.up()
        let columns = Set(try connection.query("""
            SELECT column_name FROM information_schema.columns WHERE table_name = 'users'
            """).rows.map { try $0.decode(String.self, "column_name") })
        #expect(columns.isSuperset(of: ["id", "name", "email", "password", "remember_token", "tenant_id", "role"]))
        #expect(try connection.query("SELECT name FROM users").first?.decode(String.self, "name") == "Existing")
        try migrator.down(to: 0)
        #expect(try tables(connection) == ["users", "schema_migrations"])
        #expect(try connection.query("SELECT count(*) AS c FROM users").first?.decode(Int64.self, "c") == 1)
    }

    @Test("concurrent runs in one process serialize: each migration applied exactly once")
    func concurrentInProcess() async throws {
        let database = try TestDatabase()
        let settings = try database.settings()
        let counts = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    let connection = try PGConnection(settings: settings)
                    return try Migrator(connection: connection).up().count
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(counts == MigrationCatalog.all.count)
        let rows = try database.connect().query("SELECT count(*) AS c, count(DISTINCT version) AS d FROM schema_migrations").first
        #expect(try rows?.decode(Int64.self, "c") == Int64(MigrationCatalog.all.count))
        #expect(try rows?.decode(Int64.self, "d") == Int64(MigrationCatalog.all.count))
    }
}
