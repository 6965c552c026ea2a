import CallDomain
import Foundation
import HTTPClient
import Postgres
import PusherProtocol

/// The demo's recording steps after the consultation: the recording service's file and signed
/// webhook, the patient's download through the signed link, and the retention job.
extension DemoRun {
    /// The file's key in the storage, as a recording service might name it.
    static func recordingKey(appointmentId: Int64, callId: String) -> String { "consultations/\(appointmentId)/\(callId).webm" }

    /// Writes the file, announces it with `POST /webhooks/recording` (signed, then delivered a
    /// second time as a retry), and downloads it as the patient through the 302's signed link:
    /// through nginx's `secure_link` when nginx serves the storage.
    func announceAndDownload(_ recordings: DemoRecordings, consultation: DemoAppointment, callId: String, patient: DemoParticipant,
                             baseURL: String) async throws {
        let key = Self.recordingKey(appointmentId: consultation.id, callId: callId)
        let bytes = Data("a recorded consultation of appointment \(consultation.id)\n".utf8)
        try recordings.write(bytes, key: key)
        let body = try JSONSerialization.data(withJSONObject: [
            "recordingId": "demo-\(callId.prefix(8))", "appointmentId": consultation.id, "callId": callId, "location": key,
            "sizeBytes": bytes.count, "durationSeconds": 2,
        ], options: .sortedKeys)
        for delivery in ["delivered", "retried"] {
            let now = Int64(Date().timeIntervalSince1970)
            let response = try await HTTPClient.send(HTTPRequest(method: "POST", url: baseURL + "/webhooks/recording", headers: [
                ("Content-Type", "application/json"), (WebhookSignature.timestampHeader, String(now)),
                (WebhookSignature.signatureHeader, WebhookSignature.sign(body: body, timestamp: now, secret: system.secrets.webhookSecret)),
            ], body: body))
            let status = ((try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any])?["status"] as? String
            progress.detail("recording service: POST /webhooks/recording (\(delivery), signed) → \(response.status) \(status ?? "")")
            guard response.status == 200, status == (delivery == "delivered" ? "stored" : "duplicate") else {
                throw DemoMismatch(description: "the webhook \(delivery) answered \(response.status) \(status ?? "")")
            }
        }
        guard let link = try await patient.recordingLink(consultation) else {
            throw DemoMismatch(description: "the patient got no signed link for the recording")
        }
        guard let nginx = recordings.nginx else {
            progress.detail("nginx is not installed, so the link was not followed (apt-get install nginx openssl)")
            return
        }
        let file = try await HTTPClient.send(HTTPRequest(url: link, caFile: nginx.certificatePath))
        let tampered = try await HTTPClient.send(HTTPRequest(url: link.replacingOccurrences(of: "md5=", with: "md5=x"),
                                                             caFile: nginx.certificatePath))
        guard file.status == 200, file.body == bytes, tampered.status == 403 else {
            throw DemoMismatch(description: "nginx answered the signed link \(file.status) and a tampered one \(tampered.status)")
        }
        progress.detail("nginx secure_link: the signed link → 200 (\(file.body.count) bytes, the file); a tampered link → 403")
    }

    /// Runs `jobs purge-recordings` as if the retention had passed, and checks the file is gone
    /// and the appointment's link cleared.
    func purgeRecordings(_ recordings: DemoRecordings, consultation: DemoAppointment, callId: String) async throws {
        let later = Date().addingTimeInterval(TimeInterval(CallSettings.defaults.recordingRetentionSeconds + 86_400))
        let environment = recordings.directory + "/storage.env"
        guard FileManager.default.createFile(atPath: environment, contents: Data(recordings.variables.sorted { $0.key < $1.key }
                .map { "\($0.key)=\($0.value)\n" }.joined().utf8), attributes: [.posixPermissions: 0o600]) else {
            throw DemoMismatch(description: "cannot write \(environment)")
        }
        defer { try? FileManager.default.removeItem(atPath: environment) }
        try await command(["jobs", "purge-recordings", "--now", ISOTimestamp.format(later), "--env-file", environment])
        let connection = try PGConnection(settings: database, applicationName: "callctl demo")
        defer { connection.close() }
        let link = try connection.query("SELECT video_recording_url FROM appointments WHERE id = $1", consultation.id).first?
            .decode(String?.self, "video_recording_url")
        guard !recordings.exists(Self.recordingKey(appointmentId: consultation.id, callId: callId)), link == nil else {
            throw DemoMismatch(description: "after the purge the file or appointments.video_recording_url is still there")
        }
        progress.detail("the file is deleted, video_recording_url is cleared, AppointmentRecordingDeleted is published")
    }
}
