import CallDomain
import Foundation
import Testing

@Suite("Call story: channel presence and verdicts")
struct CallStoryVerdictTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let doctor = CallStory.Person(userId: 1, name: "Dr A"), patient = CallStory.Person(userId: 2, name: "P B")

    private func appointment(status: String = "scheduled") -> CallStory.Appointment {
        .init(id: 9, tenantId: 1, status: status, scheduledAt: t0, durationMinutes: 30,
              window: AccessWindow(scheduledAt: t0, durationMinutes: 30, leadSeconds: 600, graceSeconds: 900),
              startedAt: nil, endedAt: nil, doctor: doctor, patient: patient)
    }

    private func session(state: String = "ended", reason: String? = nil, accepted: Double? = nil, ended: Double? = nil) -> CallStory.Session {
        .init(id: "c1", state: state, endReason: reason, callerUserId: 1, calleeUserId: 2, requestedAt: t0,
              acceptedAt: accepted.map { t0 + $0 }, connectedAt: nil, endedAt: ended.map { t0 + $0 }, lastHeartbeatAt: nil)
    }

    private func requested(relayed: Double?) -> CallStory.Event {
        .init(id: 5, name: "AppointmentCallRequested", callId: "c1", createdAt: t0, relayedAt: relayed.map { t0 + $0 },
              publishedAt: relayed.map { t0 + $0 }, attempts: 0, lastError: nil)
    }

    private func verdict(_ story: CallStory, at seconds: Double = 600) -> CallStoryVerdict {
        CallStoryVerdict(story, settings: CallSettings(), now: t0 + seconds, timeZone: TimeZone(identifier: "UTC")!)
    }

    @Test("presence: a socket is on the channel from subscribed until left; its user comes from the authorization")
    func presence() {
        let log = [
            ChannelEntry(kind: "authorized", socketId: "s1", userId: 2, at: t0),
            ChannelEntry(kind: "subscribed", socketId: "s1", userId: nil, at: t0 + 1),
            ChannelEntry(kind: "subscribed", socketId: "s2", userId: nil, at: t0 + 2),
            ChannelEntry(kind: "left", socketId: "s1", userId: nil, at: t0 + 10),
        ]
        let presence = ChannelPresence(log)
        #expect(presence.users(at: t0 + 0.5) == [])
        #expect(presence.users(at: t0 + 5) == [2])
        #expect(presence.unknownSockets(at: t0 + 5) == 1)
        #expect(presence.users(at: t0 + 10) == [])
        #expect(presence.firstSubscription(of: 2, after: t0) == t0 + 1)
        #expect(presence.firstSubscription(of: 2, after: t0 + 1) == nil)
    }

    @Test("no session: busy refusal, no-show, or nothing requested")
    func noSession() {
        let busy = CallStory.Step(at: t0, type: "busy", callId: nil, userId: 1, from: nil, to: nil, reason: nil, ip: nil,
                                  userAgent: nil, requestId: nil, by: nil)
        #expect(verdict(CallStory(appointment: appointment(), sessions: [], refusals: [busy], events: [], channel: [])).code == "refused_busy")
        #expect(verdict(CallStory(appointment: appointment(status: "no_show"), sessions: [], refusals: [], events: [], channel: [])).code == "no_call")
    }

    @Test("delivery first: an event stuck past the grace, then the callee not subscribed, then the ending")
    func ordering() {
        let reaped = session(reason: "timeout_no_answer", ended: 30)
        let stuck = CallStory(appointment: appointment(), sessions: [reaped], refusals: [], events: [requested(relayed: nil)], channel: [])
        #expect(verdict(stuck).code == "event_pending")
        #expect(verdict(stuck, at: 1).code == "not_answered", "within the grace the relay may still deliver it")
        let late = [ChannelEntry(kind: "authorized", socketId: "s", userId: 2, at: t0 + 40),
                    ChannelEntry(kind: "subscribed", socketId: "s", userId: nil, at: t0 + 40)]
        let notListening = CallStory(appointment: appointment(), sessions: [reaped], refusals: [], events: [requested(relayed: 0.1)],
                                     channel: late)
        let v = verdict(notListening)
        #expect(v.code == "callee_not_subscribed" && v.message.contains("39.9s later"), "\(v.message)")
        let listening = CallStory(appointment: appointment(), sessions: [reaped], refusals: [], events: [requested(relayed: 0.1)],
                                  channel: late.map { ChannelEntry(kind: $0.kind, socketId: $0.socketId, userId: $0.userId, at: t0 - 5) })
        let answered = verdict(listening)
        #expect(answered.code == "not_answered" && answered.message.contains("rang 30.0s"), "\(answered.message)")
    }

    @Test("endings: declined, connect timeout; an open ringing call past twice its timeout is overdue")
    func endings() {
        func story(_ s: CallStory.Session) -> CallStory {
            CallStory(appointment: appointment(), sessions: [s], refusals: [], events: [], channel: [])
        }
        #expect(verdict(story(session(reason: "declined", ended: 4))).code == "declined")
        #expect(verdict(story(session(reason: "connect_timeout", accepted: 3, ended: 70))).code == "not_connected")
        #expect(verdict(story(session(state: "ringing")), at: 10).code == "in_progress")
        let overdue = verdict(story(session(state: "ringing")), at: 120)
        #expect(overdue.code == "overdue" && overdue.message.contains("jobs reap"), "\(overdue.message)")
    }
}

@Suite("Local wall-clock text without ICU")
struct LocalClockTests {
    @Test("UTC, and Europe/Berlin either side of the spring change")
    func zones() throws {
        let utc = LocalClock(try #require(TimeZone(identifier: "UTC")))
        let instant = Date(timeIntervalSince1970: 1_774_747_800)   // 2026-03-29T01:30:00Z
        #expect(utc.dateTime(instant) == "2026-03-29 01:30:00" && utc.zoneName == "UTC")
        let berlin = LocalClock(try #require(TimeZone(identifier: "Europe/Berlin")))
        #expect(berlin.dateTime(instant) == "2026-03-29 03:30:00", "CEST, +2 after 01:00Z")
        #expect(berlin.dateTime(instant - 3600) == "2026-03-29 01:30:00", "CET, +1 before it")
        #expect(berlin.hourMinute(instant) == "03:30")
    }
}
