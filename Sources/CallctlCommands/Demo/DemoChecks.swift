import CallDomain
import CallStore
import Foundation
import Postgres

/// What the demo verifies in the database after its steps: the rows the jobs changed, the
/// events the browsers received against the outbox, and the KPI figures against the scenario.
struct DemoChecks {
    let database: ConnectionSettings
    let clinic: DemoClinic

    /// The unanswered call ended with `timeout_no_answer`.
    func unansweredCallClosed() throws -> String {
        let appointment = clinic.appointment(.unanswered)
        let row = try withConnection { connection in
            try connection.query("SELECT state, end_reason FROM call_sessions WHERE appointment_id = $1", appointment.id).first
        }
        let state = try row?.decode(String.self, "state"), reason = try row?.decode(String?.self, "end_reason")
        guard state == "ended", reason == "timeout_no_answer" else {
            throw DemoMismatch(description: "appointment \(appointment.id)'s call is \(state ?? "missing") \(reason ?? ""), not ended timeout_no_answer")
        }
        return "verified: appointment \(appointment.id)'s call ended timeout_no_answer"
    }

    /// Exactly the no-show appointment is `no_show`.
    func noShowMarked() throws -> String {
        let marked = try withConnection { connection in
            try connection.query("SELECT id FROM appointments WHERE status = 'no_show' AND tenant_id = $1 ORDER BY id", clinic.tenantId)
                .rows.map { try $0.decode(Int64.self, "id") }
        }
        let expected = clinic.appointment(.noShow).id
        guard marked == [expected] else {
            throw DemoMismatch(description: "no_show appointments are \(marked), expected [\(expected)]")
        }
        return "verified: appointment \(expected) is no_show, no other"
    }

    /// Each browser received as many events as the outbox holds for its channels (waiting up
    /// to 5 s for the last ones), and every row is published.
    func eventsDelivered(doctorChannels: [String], doctor: DemoBrowser, patientChannel: String, patient: DemoBrowser) async throws -> String {
        let (doctorRows, patientRows) = try withConnection { connection in
            func count(_ channels: [String]) throws -> Int {
                try connection.query("SELECT count(*) AS n FROM outbox WHERE channel = ANY($1::text[])", PGTextArray(channels))
                    .first?.decode(Int.self, "n") ?? 0
            }
            return (try count(doctorChannels), try count([patientChannel]))
        }
        let doctorGot = await doctor.waitFor(doctorRows, timeout: .seconds(5))
        let patientGot = await patient.waitFor(patientRows, timeout: .seconds(5))
        try await Task.sleep(for: .milliseconds(200))
        let text = "events written = received: doctor's browser \(doctor.received) of \(doctorRows), patient's browser \(patient.received) of \(patientRows)"
        guard doctorGot == doctorRows, patientGot == patientRows, doctor.received == doctorRows, patient.received == patientRows else {
            throw DemoMismatch(description: text)
        }
        return text
    }

    /// The KPI totals of ``kpiPeriod(now:)`` match what the scenario did.
    func kpiExpectation() throws -> String {
        let (from, to) = Self.kpiPeriod(now: Date())
        guard let first = CalendarDay(from), let last = CalendarDay(to) else {
            throw DemoMismatch(description: "bad KPI period \(from)–\(to)")
        }
        let report = try withConnection { connection in
            try KPIQuery(period: try KPIPeriod(from: first, to: last, zoneName: "UTC"), grouping: nil, tenant: clinic.tenantId).run(on: connection)
        }
        let figures = report.totals
        let seen = [figures.callsRequested, figures.callsAccepted, figures.callsConnected, figures.timeouts, figures.busyEvents,
                    figures.noShows, figures.appointmentsHeld]
        // request + accept (consultation), declined, unanswered; the busy and too-early refusals open no session.
        let expected = [3, 1, 1, 1, 1, 1, clinic.appointments.count - 1]
        let names = "requested, accepted, connected, timeouts, busy, no-shows, appointments held"
        guard seen == expected else {
            throw DemoMismatch(description: "KPI figures (\(names)) are \(seen), the scenario made \(expected)")
        }
        return "verified against the scenario: \(names) = \(expected.map(String.init).joined(separator: ", "))"
    }

    /// Yesterday to the day after tomorrow (UTC): every seeded appointment and call.
    static func kpiPeriod(now: Date) -> (from: String, to: String) {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return (formatter.string(from: now.addingTimeInterval(-86_400)), formatter.string(from: now.addingTimeInterval(2 * 86_400)))
    }

    private func withConnection<T>(_ body: (PGConnection) throws -> T) throws -> T {
        let connection = try PGConnection(settings: database, applicationName: "callctl demo")
        defer { connection.close() }
        return try body(connection)
    }
}
