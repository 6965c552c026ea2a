import CallDomain
import Foundation

/// `call show`'s text: the appointment, each call with its steps, refusals, events, the
/// channel's subscriptions and the verdict, times in one zone.
struct CallStoryText {
    let story: CallStory
    let verdict: CallStoryVerdict
    let timeZone: TimeZone
    /// The zone as the user named it (`UTC`, `Europe/Berlin`).
    let zoneName: String

    private func time(_ date: Date?) -> String {
        date.map(LocalClock(timeZone).dateTime) ?? "-"
    }

    private func who(_ userId: Int64?) -> String {
        guard let userId else { return "system" }
        return story.appointment.role(of: userId).map { "\($0) (user \(userId))" } ?? "user \(userId)"
    }

    private func after(_ date: Date?, _ start: Date) -> String {
        date.map { "+" + ReadableText.age($0.timeIntervalSince(start)) } ?? "-"
    }

    func lines() -> [String] {
        let a = story.appointment
        var lines = [
            "appointment \(a.id) (tenant \(a.tenantId)): \(a.status); times in \(zoneName)",
            "  scheduled \(time(a.scheduledAt)) for \(a.durationMinutes) min; window \(time(a.opensAt)) to \(time(a.closesAt))",
            "  doctor \(a.doctor.name) (user \(a.doctor.userId)); patient \(a.patient.name) (user \(a.patient.userId))",
        ]
        if story.sessions.isEmpty { lines.append("calls: none") }
        for session in story.sessions {
            lines.append("")
            lines.append("call \(session.id): \(session.state)\(session.endReason.map { " (\($0))" } ?? ""); "
                + "\(who(session.callerUserId)) called \(who(session.calleeUserId)) at \(time(session.requestedAt))")
            var table = TextTable("  AT", "STEP", "WHO", "CHANGE", "IP", "REQUEST", "USER AGENT / NOTE")
            for step in session.steps {
                let change = [step.from, step.to].compactMap { $0 }.joined(separator: " → ")
                let note = [step.by.map { "by \($0)" }, step.reason, step.detail, step.userAgent].compactMap { $0 }.joined(separator: "; ")
                table.add("  " + time(step.at), step.type, step.by == nil ? who(step.userId) : "operator", change.isEmpty ? "-" : change,
                          step.ip ?? "-", step.requestId ?? "-", note.isEmpty ? "-" : String(note.prefix(80)))
            }
            lines += table.render()
        }
        if !story.refusals.isEmpty {
            lines += ["", "refusals:"]
            var table = TextTable("  AT", "TYPE", "WHO", "IP", "REQUEST")
            for refusal in story.refusals {
                table.add("  " + time(refusal.at), refusal.type, who(refusal.userId), refusal.ip ?? "-", refusal.requestId ?? "-")
            }
            lines += table.render()
        }
        lines += ["", "events on private-appointments.\(a.id):"]
        if story.events.isEmpty { lines.append("  none") } else {
            var table = TextTable("  ID", "EVENT", "CREATED", "RELAYED", "PUBLISHED", "SUBSCRIBED THEN", "EXTERNAL ERROR")
            for event in story.events {
                let users = event.subscribers.map(who)
                    + (event.unknownSockets > 0 ? ["\(event.unknownSockets) unknown socket(s)"] : [])
                table.add("  \(event.id)", event.name, time(event.createdAt), after(event.relayedAt, event.createdAt),
                          after(event.publishedAt, event.createdAt), users.isEmpty ? "nobody" : users.joined(separator: ", "),
                          event.lastError.map { "\(event.attempts) attempts: \(String($0.prefix(60)))" } ?? "-")
            }
            lines += table.render()
        }
        if !story.channel.isEmpty {
            lines += ["", "channel log (kept a day):"]
            var table = TextTable("  AT", "KIND", "SOCKET", "USER")
            for entry in story.channel {
                table.add("  " + time(entry.at), entry.kind, entry.socketId, entry.userId.map { who($0) } ?? "-")
            }
            lines += table.render()
        }
        lines += ["", "verdict: \(verdict.message)"]
        return lines
    }
}
