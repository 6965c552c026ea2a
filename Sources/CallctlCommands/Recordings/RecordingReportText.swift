import CallDomain
import CallStore
import Foundation

/// `recordings show`'s text: the appointment, then each call's consents, audit trail and
/// files with their downloads, times in one zone.
struct RecordingReportText {
    let report: RecordingReport
    let timeZone: TimeZone
    /// The zone as the user named it (`UTC`, `Europe/Berlin`).
    let zoneName: String

    private func time(_ date: Date?) -> String {
        date.map(LocalClock(timeZone).dateTime) ?? "-"
    }

    private func who(_ userId: Int64?, _ role: String?) -> String {
        guard let userId else { return "system" }
        return role.map { "\($0) (user \(userId))" } ?? "user \(userId)"
    }

    private func consent(_ role: String, _ consent: RecordingConsent?) -> String {
        guard let consent else { return "\(role) never answered" }
        return "\(role) \(consent.granted ? "granted" : "withdrew") at \(time(consent.at))"
    }

    func lines() -> [String] {
        var lines = [
            "appointment \(report.appointmentId) (tenant \(report.tenantId)): \(report.status); doctor user \(report.doctorUserId), "
                + "patient user \(report.patientUserId); recording.retention \(DurationText.format(seconds: report.retentionSeconds)); "
                + "times in \(zoneName)",
        ]
        if report.calls.isEmpty { lines.append("no recording activity") }
        for call in report.calls {
            let violations = call.steps.filter { $0.type == AuditEventType.recordingViolation.rawValue }.count
            let recording = call.recordingSince.map { "RECORDING since \(time($0))" } ?? "not recording now"
            let refused = violations == 0 ? "" : "; \(ReadableText.count(violations, "violation")) (a file announced without consent, refused)"
            lines += [
                "",
                "call \(call.callId): \(call.state), requested \(time(call.requestedAt)); \(recording)\(refused)",
                "  consent: \(consent("doctor", call.consents.doctor)); \(consent("patient", call.consents.patient))",
            ]
            var steps = TextTable("  AT", "STEP", "WHO", "NOTE")
            for step in call.steps {
                steps.add("  " + time(step.at), step.type, who(step.userId, step.role), step.note ?? "-")
            }
            lines += steps.render()
            for file in call.files { lines += self.file(file) }
        }
        return lines
    }

    private func file(_ file: RecordingFile) -> [String] {
        let lastError = file.purgeError.map { "; last error: \(String($0.prefix(200)))" } ?? ""
        var lines = [
            "  file \(file.recordingId): \(file.status.rawValue)",
            "    location   \(file.location ?? "- (purged)")",
            "    size       \(RecordingFileText.size(file.sizeBytes)) (\(ReadableText.grouped(Int(file.sizeBytes))) bytes), "
                + "length \(DurationText.format(seconds: file.durationSeconds))",
            "    received   \(time(file.receivedAt))",
            "    purge      due \(time(file.purgeDueAt)); purged \(time(file.purgedAt)); "
                + ReadableText.count(file.purgeAttempts, "failed attempt") + lastError,
        ]
        guard !file.downloads.isEmpty else { return lines + ["    downloads  none"] }
        lines.append("    downloads:")
        var table = TextTable("      AT", "WHO", "IP", "USER AGENT")
        for download in file.downloads {
            table.add("      " + time(download.at), who(download.userId, download.role), download.ip ?? "-",
                      String((download.userAgent ?? "-").prefix(80)))
        }
        return lines + table.render()
    }
}
