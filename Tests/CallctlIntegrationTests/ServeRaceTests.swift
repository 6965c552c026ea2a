import Foundation
import Postgres
import Testing

/// Races between the call lifecycle and the cron jobs, and between callers of one user,
/// forced deterministically: a transaction holds the job's locks and writes what the job
/// writes; the daemon's command is sent and seen waiting on the lock; then the transaction
/// commits. The command must act on what the job left, never on what it read before.
@Suite("callctl serve: races with the cron jobs and between callers", .serialized)
struct ServeRaceTests {
    /// One race: the session's state before, the command and the job's end reason.
    struct Race: Sendable, CustomStringConvertible {
        let before: String
        let command: String
        let jobReason: String
        /// The job also marks the appointment no_show (`jobs no-show`).
        var marksNoShow = false

        var description: String { "\(command) on \(before) against \(jobReason)" }
    }

    static let races = [
        Race(before: "ringing", command: "accept", jobReason: "timeout_no_answer"),
        Race(before: "in_call", command: "heartbeat", jobReason: "heartbeat_lost"),
        Race(before: "accepted", command: "started", jobReason: "connect_timeout"),
        Race(before: "ringing", command: "accept", jobReason: "window_closed", marksNoShow: true),
    ]

    @Test("a command waiting on the job's locks gets 409 invalid_transition and leaves the job's row and events as they were",
          arguments: races)
    func commandAfterJob(_ race: Race) throws {
        let s = try ServeWorld(label: "race-\(race.command)-\(race.jobReason)")
        let appointment = try s.appointment()
        let callId = try s.ring(appointment, peerId: "doctor-peer")
        if race.before != "ringing" {
            #expect(try s.call("accept", appointment, as: s.patient, callId: callId, peerId: "patient-peer").status == 200)
        }
        if race.before == "in_call" {
            #expect(try s.call("started", appointment, as: s.doctor, callId: callId).status == 200)
        }
        let eventsBefore = try s.trail(appointment).events
        let statusBefore = try s.world.status(appointment)

        let job = try s.world.database.connect()
        try job.execute("BEGIN")
        try job.query("""
            SELECT 1 FROM call_sessions s JOIN appointments a ON a.id = s.appointment_id WHERE s.id = $1 FOR UPDATE OF s, a
            """, UUID(uuidString: callId)!)
        try job.query("UPDATE call_sessions SET state = 'ended', end_reason = $2, ended_at = now() WHERE id = $1",
                      UUID(uuidString: callId)!, race.jobReason)
        if race.marksNoShow {
            try job.query("UPDATE appointments SET status = 'no_show' WHERE id = $1", appointment)
        }
        let actor = race.command == "accept" ? s.patient : s.doctor
        let server = s.server
        let token = try s.token(actor)
        let answer = BackgroundValue {
            try? server.request("POST", "/appointments/\(appointment)/call/\(race.command)", token: token,
                                json: ["callId": callId, "peerId": "patient-peer"])
        }
        #expect(try eventually { try s.world.backendWaitingOnLock("%FROM appointments a%FOR UPDATE OF a%") != nil },
                "the command never waited on the job's lock")
        try job.execute("COMMIT")

        let response = try #require(answer.value() ?? nil, "no answer")
        response.expectError(409, "invalid_transition")
        let trail = try s.trail(appointment)
        #expect(trail.sessions == ["ended \(race.jobReason)"])
        #expect(trail.events == eventsBefore, "the command published after the job")
        #expect(try s.world.status(appointment) == (race.marksNoShow ? "no_show" : statusBefore))
    }

    @Test("24 pairs of patients ring their doctor at once: exactly one call per doctor, the other 409 busy")
    func concurrentCallersOfOneUser() throws {
        let s = try ServeWorld()
        let pairs = 24
        var requests: [(appointment: Int64, token: String)] = []
        for _ in 0..<pairs {
            let doctor = try s.person("doctor")
            for _ in 0..<2 {
                let patient = try s.person("patient")
                requests.append((try s.appointment(doctor: doctor.id, patient: patient.id), try s.token(patient.userId)))
            }
        }
        let server = s.server
        let list = requests
        let answers = simultaneously(list.count) { index in
            try? server.request("POST", "/appointments/\(list[index].appointment)/call/request", token: list[index].token,
                                json: [String: String]())
        }
        for pair in 0..<pairs {
            let statuses = [answers[2 * pair]?.status ?? -1, answers[2 * pair + 1]?.status ?? -1]
            #expect(statuses.sorted() == [200, 409], "pair \(pair): \(answers[2 * pair]?.text ?? "-") / \(answers[2 * pair + 1]?.text ?? "-")")
        }
        #expect(answers.compactMap { $0?.status == 409 ? $0?.reason : nil } == Array(repeating: "busy", count: pairs))
        #expect(try s.world.count("SELECT count(*) FROM call_sessions WHERE state <> 'ended'") == pairs)
        let doubled = try s.world.count("""
            SELECT count(*) FROM (SELECT u FROM call_sessions, LATERAL (VALUES (caller_user_id), (callee_user_id)) v(u)
                                  WHERE state <> 'ended' GROUP BY u HAVING count(*) > 1) d
            """)
        #expect(doubled == 0)
    }

    @Test("the callee is never rung twice, the caller's own other calls do not count: a doctor in a call may ring the next patient, but nobody may ring the doctor")
    func callerAndCallee() throws {
        let s = try ServeWorld()
        let first = try s.appointment()
        _ = try s.ring(first)
        let other = try s.person("patient")
        let second = try s.appointment(patient: other.id)
        #expect(try s.call("request", second, as: s.doctor).status == 200, "a caller with another open call may ring")
        let third = try s.appointment(patient: try s.person("patient").id)
        let refused = try s.call("request", third, as: try s.world.connection.query(
            "SELECT p.user_id FROM appointments a JOIN patients p ON p.id = a.patient_id WHERE a.id = $1", third).first!.decode(Int64.self, "user_id"))
        refused.expectError(409, "busy")
    }
}

/// A value computed on a thread of its own; ``value()`` waits for it.
final class BackgroundValue<T>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: T?

    init(_ body: @escaping @Sendable () -> T) {
        Thread { [self] in
            result = body()
            done.signal()
        }.start()
    }

    /// Waits up to `seconds` for the value; nil when it did not come.
    func value(within seconds: Double = 30) -> T? {
        guard done.wait(timeout: .now() + seconds) == .success else { return nil }
        return result
    }
}
