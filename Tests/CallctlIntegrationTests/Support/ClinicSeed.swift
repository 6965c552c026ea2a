import Postgres

/// One tenant with one doctor and one patient (and their users), the people an appointment
/// and its calls refer to, inserted on a migrated database.
struct ClinicSeed {
    let tenantId: Int64
    let doctorUserId: Int64
    let patientUserId: Int64
    let doctorId: Int64
    let patientId: Int64

    /// Inserts the tenant, the two users, the doctor and the patient; keeps their ids.
    init(on connection: PGConnection) throws {
        func insert(_ sql: String, _ parameters: (any PGEncodable)?...) throws -> Int64 {
            try connection.query(sql, parameters).first!.decode(Int64.self, "id")
        }
        tenantId = try insert("INSERT INTO tenants (slug, name) VALUES ('clinic', 'Clinic') RETURNING id")
        let user = "INSERT INTO users (tenant_id, name, email, role) VALUES ($1, $2, $3, $2) RETURNING id"
        doctorUserId = try insert(user, tenantId, "doctor", "doctor@example.test")
        patientUserId = try insert(user, tenantId, "patient", "patient@example.test")
        doctorId = try insert("INSERT INTO doctors (user_id) VALUES ($1) RETURNING id", doctorUserId)
        patientId = try insert("INSERT INTO patients (user_id) VALUES ($1) RETURNING id", patientUserId)
    }
}
