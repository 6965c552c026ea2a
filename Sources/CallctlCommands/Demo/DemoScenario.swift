import Foundation

/// A step's outcome that differs from what the scenario expects.
struct DemoMismatch: Error, CustomStringConvertible {
    let description: String
}

/// The calls of the demo, each a step: the doctor and the patients act over the lifecycle
/// API and every answer is checked against what the rules say it must be.
struct DemoScenario {
    let clinic: DemoClinic
    let doctor: DemoParticipant
    /// One participant per patient, by appointment plan.
    let patients: [DemoAppointment.Plan: DemoParticipant]
    let progress: DemoProgress

    /// Runs the calls, one step each.
    func run() async throws {
        let consultation = clinic.appointment(.consultation)
        let bob = patient(.consultation)
        let callId = try await progress.step("a consultation begins (appointment \(consultation.id)): request, accept, started, heartbeats") {
            _ = try await bob.iceServers(consultation)
            let callId = try expect(try await bob.call("request", consultation), 200, "ringing").callId ?? ""
            try expect(try await doctor.call("accept", consultation, callId: callId), 200, "accepted")
            try expect(try await doctor.call("started", consultation, callId: callId), 200, "in_call")
            try expect(try await bob.call("started", consultation, callId: callId), 200, "in_call")
            for _ in 0..<2 {
                try await Task.sleep(for: .milliseconds(500))
                try expect(try await bob.call("heartbeat", consultation, callId: callId), 200, "in_call")
                try expect(try await doctor.call("heartbeat", consultation, callId: callId), 200, "in_call")
            }
            return callId
        }
        try await progress.step("another patient calls while the doctor is in that call (appointment \(clinic.appointment(.busy).id))") {
            try expect(try await patient(.busy).call("request", clinic.appointment(.busy)), 409, "busy")
        }
        try await progress.step("the consultation ends") {
            try expect(try await bob.call("end", consultation, callId: callId), 200, "ended hangup")
        }
        let declined = clinic.appointment(.declined)
        try await progress.step("a call the doctor declines (appointment \(declined.id))") {
            let ringing = try expect(try await patient(.declined).call("request", declined), 200, "ringing")
            try expect(try await doctor.call("decline", declined, callId: ringing.callId), 200, "ended declined")
        }
        let unanswered = clinic.appointment(.unanswered)
        try await progress.step("a call nobody answers (appointment \(unanswered.id)); it keeps ringing") {
            try expect(try await patient(.unanswered).call("request", unanswered), 200, "ringing")
        }
        let early = clinic.appointment(.tooEarly)
        try await progress.step("a call a day before the appointment (appointment \(early.id)): the policy refuses it") {
            try expect(try await patient(.tooEarly).call("request", early), 403, "too_early")
        }
    }

    private func patient(_ plan: DemoAppointment.Plan) -> DemoParticipant {
        patients[plan]!
    }

    /// Checks the status and the state (and end reason) or refusal reason of an answer.
    @discardableResult
    private func expect(_ answer: DemoAnswer, _ status: Int, _ outcome: String) throws -> DemoAnswer {
        let seen = (200..<300).contains(answer.status)
            ? [answer.fields["state"], answer.fields["endReason"]].compactMap { $0 }.joined(separator: " ")
            : answer.fields["reason"] ?? ""
        guard answer.status == status, seen == outcome else {
            throw DemoMismatch(description: "expected \(status) \(outcome), got \(answer.status) \(seen)")
        }
        return answer
    }
}
