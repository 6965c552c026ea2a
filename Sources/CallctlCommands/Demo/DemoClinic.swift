import Foundation
import Postgres

/// A person of the demo clinic.
struct DemoPerson: Sendable {
    /// `users.id`, the token's `sub`.
    let userId: Int64
    /// Display name.
    let name: String
    /// `doctor` or `patient`.
    let role: String
}

/// One seeded appointment and what the demo does with it.
struct DemoAppointment: Sendable {
    /// What happens to it in the scenario.
    enum Plan: String, Sendable, CaseIterable {
        case consultation = "a full consultation"
        case busy = "a call while the doctor is busy (409 busy)"
        case declined = "a call the doctor declines"
        case unanswered = "a call nobody answers (jobs reap closes it)"
        case tooEarly = "a call a day too early (403 too_early)"
        case noShow = "nobody came (jobs no-show marks it)"
        case cancelled = "cancelled by the clinic (not counted)"
    }

    let id: Int64
    let patient: DemoPerson
    let scheduledAt: Date
    let plan: Plan
}

/// The demo's clinic: one tenant with a doctor and a patient per appointment, a second tenant
/// with one user (the outsider `diagnose echo` must see refused), and appointments spread
/// over the access-window rules (lead 10 min, grace 15 min, 30-minute slots).
struct DemoClinic: Sendable {
    let tenantId: Int64
    let doctor: DemoPerson
    let outsider: DemoPerson
    let appointments: [DemoAppointment]

    /// The appointment with `plan`.
    func appointment(_ plan: DemoAppointment.Plan) -> DemoAppointment {
        appointments.first { $0.plan == plan }!
    }

    /// Seconds from now at which each plan's appointment is scheduled.
    static func offset(_ plan: DemoAppointment.Plan) -> TimeInterval {
        switch plan {
        case .consultation: -5 * 60
        case .busy: 5 * 60
        case .declined: -10 * 60
        case .unanswered: 0
        case .tooEarly: 24 * 3600
        case .noShow: -3 * 3600
        case .cancelled: 2 * 3600
        }
    }

    private static let patientNames = ["Bob Baker", "Carol Chen", "Dan Dubois", "Erin Evans", "Frank Fischer", "Grace Gómez", "Heidi Horvat"]

    /// Inserts everything in one transaction, relative to `now`.
    static func seed(on connection: PGConnection, now: Date) throws -> DemoClinic {
        try connection.transaction { connection in
            func insert(_ sql: String, _ parameters: (any PGEncodable)?...) throws -> Int64 {
                guard let id = try connection.query(sql, parameters).first?.decode(Int64.self, "id") else {
                    throw PostgresError(.query, "the demo's seed insert returned no id")
                }
                return id
            }
            let userSQL = "INSERT INTO users (tenant_id, name, email, role) VALUES ($1, $2, $3, $4) RETURNING id"
            func person(_ tenant: Int64, _ name: String, _ role: String) throws -> DemoPerson {
                let email = name.lowercased().split(separator: " ").joined(separator: ".") + "@demo.example"
                return DemoPerson(userId: try insert(userSQL, tenant, name, email, role), name: name, role: role)
            }
            let tenant = try insert("INSERT INTO tenants (slug, name) VALUES ('demo-clinic', 'Demo Clinic') RETURNING id")
            let other = try insert("INSERT INTO tenants (slug, name) VALUES ('other-clinic', 'Other Clinic') RETURNING id")
            let doctor = try person(tenant, "Dr. Ada Lovelace", "doctor")
            let doctorId = try insert("""
                INSERT INTO doctors (user_id, status, license_number, license_valid_until)
                VALUES ($1, 'active', 'DEMO-0001', (now() + interval '1 year')::date) RETURNING id
                """, doctor.userId)
            var appointments: [DemoAppointment] = []
            for (plan, name) in zip(DemoAppointment.Plan.allCases, patientNames) {
                let patient = try person(tenant, name, "patient")
                let patientId = try insert("INSERT INTO patients (user_id) VALUES ($1) RETURNING id", patient.userId)
                let scheduled = now.addingTimeInterval(offset(plan))
                let id = try insert("""
                    INSERT INTO appointments (tenant_id, doctor_id, patient_id, scheduled_at, duration_minutes, status)
                    VALUES ($1, $2, $3, $4, 30, $5) RETURNING id
                    """, tenant, doctorId, patientId, scheduled, plan == .cancelled ? "cancelled" : "scheduled")
                appointments.append(DemoAppointment(id: id, patient: patient, scheduledAt: scheduled, plan: plan))
            }
            let outsider = try person(other, "Mallory Outsider", "patient")
            return DemoClinic(tenantId: tenant, doctor: doctor, outsider: outsider, appointments: appointments)
        }
    }
}
