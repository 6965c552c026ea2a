import Diagnostics
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

    /// Runs the calls, one step each; returns the consultation's callId (it was recorded).
    @discardableResult
    func run() async throws -> String {
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
        try await progress.step("the browsers signal through callctl's PeerJS broker: offer, answer, candidates") {
            try await signal(consultation, callId: callId, caller: bob)
        }
        try await progress.step("another patient calls while the doctor is in that call (appointment \(clinic.appointment(.busy).id))") {
            try expect(try await patient(.busy).call("request", clinic.appointment(.busy)), 409, "busy")
        }
        try await progress.step("both consent to record; the doctor starts recording (the patient's browser shows the badge)") {
            let early = try await doctor.recording("start", consultation, callId: callId)
            guard early.status == 403, early.fields["reason"] == "consent_missing" else {
                throw DemoMismatch(description: "recording without consent answered \(early.status), not 403 consent_missing")
            }
            for participant in [bob, doctor] {
                guard try await participant.recording("consent", consultation, callId: callId).status == 200 else {
                    throw DemoMismatch(description: "\(participant.person.name)'s consent was refused")
                }
            }
            guard try await doctor.recording("start", consultation, callId: callId).fields["recording"] == "1" else {
                throw DemoMismatch(description: "the recording did not start with both consents")
            }
        }
        try await progress.step("the consultation ends, and its recording with it (AppointmentRecordingStopped, call_ended)") {
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
        return callId
    }

    /// Both participants get a broker peer id and connect as PeerJS does; the caller offers, the
    /// callee answers, each sends a candidate; every message must arrive with the sender's id
    /// as `src`, set by the broker.
    private func signal(_ appointment: DemoAppointment, callId: String, caller: DemoParticipant) async throws {
        let (callerId, callerSocket) = try await caller.peer(appointment, callId: callId)
        defer { callerSocket.close() }
        let (doctorId, doctorSocket) = try await doctor.peer(appointment, callId: callId)
        defer { doctorSocket.close() }
        func relay(_ type: String, from sender: (id: String, socket: PeerJSClient), to receiver: (id: String, socket: PeerJSClient),
                   payload: String) async throws {
            sender.socket.send("{\"type\":\"\(type)\",\"dst\":\"\(receiver.id)\",\"payload\":\(payload)}")
            guard let text = await receiver.socket.next(), text.contains("\"type\":\"\(type)\""),
                  text.contains("\"src\":\"\(sender.id)\"") else {
                throw DemoMismatch(description: "\(type) from \(sender.id) did not reach \(receiver.id) through the broker")
            }
            progress.detail("\(type) \(sender.id) → \(receiver.id), src set by the broker (\(text.utf8.count) bytes)")
        }
        let patientSide = (callerId, callerSocket), doctorSide = (doctorId, doctorSocket)
        let offer = #"{"type":"data","connectionId":"dc_demo","sdp":{"type":"offer","sdp":"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n"}}"#
        try await relay("OFFER", from: patientSide, to: doctorSide, payload: offer)
        try await relay("ANSWER", from: doctorSide, to: patientSide,
                        payload: #"{"type":"data","connectionId":"dc_demo","sdp":{"type":"answer","sdp":"v=0\r\n"}}"#)
        let candidate = #"{"type":"data","connectionId":"dc_demo","candidate":{"candidate":"candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host","sdpMid":"0","sdpMLineIndex":0}}"#
        try await relay("CANDIDATE", from: patientSide, to: doctorSide, payload: candidate)
        try await relay("CANDIDATE", from: doctorSide, to: patientSide, payload: candidate)
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
