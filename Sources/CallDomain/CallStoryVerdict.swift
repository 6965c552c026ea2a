import Foundation

/// The one conclusion at the end of `callctl call show`: what happened to the appointment's
/// last call and, where it went wrong, where it went wrong first (the event that never got
/// out, the browser that was not listening, the call nobody answered).
public struct CallStoryVerdict: Sendable, Equatable, Codable {
    /// A stable code: `no_call`, `refused_busy`, `event_pending`, `external_refused`,
    /// `callee_not_subscribed`, `not_answered`, `declined`, `cancelled`, `not_connected`,
    /// `completed`, `heartbeat_lost`, `max_duration`, `window_closed`, `operator_ended`,
    /// `error`, `in_progress`, `overdue`.
    public let code: String
    /// The sentence an on-call engineer reads.
    public let message: String

    /// How long an event may wait for the relay before it counts as stuck (the relay delivers within milliseconds).
    public static let deliveryGrace: TimeInterval = 5

    init(_ code: String, _ message: String) {
        self.code = code
        self.message = message
    }

    /// Concludes `story` at `now`; times are written in `timeZone`.
    public init(_ story: CallStory, settings: CallSettings, now: Date, timeZone: TimeZone) {
        let clock = StoryClock(timeZone: timeZone)
        let appointment = story.appointment
        guard let session = story.sessions.last else {
            if let busy = story.refusals.last {
                let who = appointment.role(of: busy.userId) ?? "user \(busy.userId.map(String.init) ?? "?")"
                self.init("refused_busy", "no call was placed: the \(who)'s request at \(clock.time(busy.at)) was refused as busy "
                    + "(\(busy.reason ?? "the appointment or the callee had another open call"))")
            } else if appointment.status == "no_show" {
                self.init("no_call", "nobody requested a call; the appointment was marked no_show after its window closed at "
                    + "\(clock.time(appointment.closesAt))")
            } else {
                self.init("no_call", "no call was requested for this appointment (window \(clock.time(appointment.opensAt)) to "
                    + "\(clock.time(appointment.closesAt)))")
            }
            return
        }
        let callee = appointment.role(of: session.calleeUserId) ?? "callee"
        let caller = appointment.role(of: session.callerUserId) ?? "caller"
        let sessionEvents = story.events.filter { $0.callId == session.id }
        if let stuck = sessionEvents.first(where: { $0.relayedAt == nil && now.timeIntervalSince($0.createdAt) > Self.deliveryGrace }) {
            self.init("event_pending", "\(stuck.name) (outbox row \(stuck.id)) was never delivered: pending since "
                + "\(clock.time(stuck.createdAt)), \(ReadableText.age(now.timeIntervalSince(stuck.createdAt))) ago; is `callctl serve` "
                + "running? `callctl outbox status` shows the backlog (playbooks/echo-no-events.md)")
            return
        }
        if let refused = sessionEvents.first(where: { $0.publishedAt == nil && $0.lastError != nil }) {
            self.init("external_refused", "the external Pusher server refused \(refused.name) (outbox row \(refused.id), "
                + "\(refused.attempts) attempts): \(refused.lastError ?? ""); browsers listening there never got it. "
                + "`callctl outbox flush` shows why (playbooks/echo-no-events.md)")
            return
        }
        if let requested = sessionEvents.first(where: { $0.name == "AppointmentCallRequested" }),
           session.acceptedAt == nil, !requested.subscribers.contains(session.calleeUserId),
           requested.subscribers.count + requested.unknownSockets > 0 || !story.channel.isEmpty {
            let moment = requested.relayedAt ?? requested.createdAt
            let later = ChannelPresence(story.channel).firstSubscription(of: session.calleeUserId, after: moment)
            let when = later.map { "subscribed \(clock.time($0)), \(ReadableText.age($0.timeIntervalSince(moment))) later" }
                ?? "never subscribed while the call rang"
            self.init("callee_not_subscribed", "the \(callee)'s browser was not subscribed to private-appointments.\(appointment.id) "
                + "when AppointmentCallRequested was published at \(clock.time(moment)) (\(when))")
            return
        }
        let rang = ReadableText.age((session.acceptedAt ?? session.endedAt ?? now).timeIntervalSince(session.requestedAt))
        guard let reason = session.endReason, let ended = session.endedAt else {
            let age = now.timeIntervalSince(session.requestedAt)
            let limit = session.state == "ringing" ? settings.ringingTimeoutSeconds
                : session.state == "accepted" ? settings.connectTimeoutSeconds : settings.heartbeatTimeoutSeconds
            let since = session.lastHeartbeatAt ?? session.connectedAt ?? session.acceptedAt ?? session.requestedAt
            if now.timeIntervalSince(since) > Double(limit) * 2 {
                self.init("overdue", "call \(session.id) is still \(session.state) since \(clock.time(since)), well past its "
                    + "\(limit) s timeout: is the `callctl jobs reap` cron running? (playbooks/zombie-calls.md; "
                    + "`callctl call end \(session.id) --reason ...` ends it)")
            } else {
                self.init("in_progress", "call \(session.id) is \(session.state), requested \(ReadableText.age(age)) ago by the \(caller)")
            }
            return
        }
        let connected = session.connectedAt
        let duration = connected.map { ReadableText.age(ended.timeIntervalSince($0)) }
        switch EndReason(rawValue: reason) {
        case .timeoutNoAnswer:
            self.init("not_answered", "the call rang \(rang) and was reaped as timeout_no_answer; the \(callee) never accepted")
        case .declined:
            self.init("declined", "the \(callee) declined after \(rang)")
        case .cancelled:
            self.init("cancelled", "the \(caller) cancelled after it rang \(rang)")
        case .connectTimeout:
            self.init("not_connected", "the \(callee) accepted at \(clock.time(session.acceptedAt ?? ended)) but the browsers never "
                + "connected within timeouts.connect: check TURN and the network (playbooks/nobody-connects.md)")
        case .hangup:
            let by = session.steps.last(where: { $0.type == AuditEventType.leave.rawValue })?.userId
            self.init("completed", "the call connected at \(clock.time(connected ?? ended)), lasted \(duration ?? "0.0s") and ended "
                + "by hang-up\(by.flatMap(appointment.role(of:)).map { " (the \($0))" } ?? "")")
        case .heartbeatLost:
            self.init("heartbeat_lost", "the call connected at \(clock.time(connected ?? ended)); heartbeats stopped at "
                + "\(clock.time(session.lastHeartbeatAt ?? connected ?? ended)) and the reaper ended it as heartbeat_lost "
                + "(a browser closed or lost its network)")
        case .maxDuration:
            self.init("max_duration", "the call lasted \(duration ?? "?") and was ended at timeouts.max_call")
        case .windowClosed:
            self.init("window_closed", "the call was still \(session.steps.last?.from ?? "open") when the window closed; the "
                + "no-show job ended it")
        case .operatorEnded:
            let step = session.steps.last { $0.type == AuditEventType.operatorEnd.rawValue }
            self.init("operator_ended", "an operator (\(step?.by ?? "unknown")) ended the call at \(clock.time(ended))"
                + (step?.reason.map { ": \($0)" } ?? ""))
        case .error, nil:
            self.init("error", "the call ended with \(reason) at \(clock.time(ended))")
        }
    }
}

/// Times in a story, as `2026-12-04 14:06:12 UTC` in one time zone.
struct StoryClock {
    let clock: LocalClock

    init(timeZone: TimeZone) { clock = LocalClock(timeZone) }

    func time(_ date: Date) -> String { clock.dateTime(date) + " " + clock.zoneName }
}
