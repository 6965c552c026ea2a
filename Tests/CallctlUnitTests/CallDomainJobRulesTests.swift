import CallDomain
import Foundation
import Testing

@Suite("Job rules")
struct CallDomainJobRulesTests {
    typealias F = DomainFixture
    let settings = CallSettings.defaults

    // MARK: - No-show

    @Test("no-show is due one second after the window closes, not at the edge")
    func noShowEdges() throws {
        let appointment = try F.appointment()
        #expect(!NoShowRule.isDue(appointment, settings: settings, now: try F.instant("2026-03-29T10:45:00Z")))
        #expect(NoShowRule.isDue(appointment, settings: settings, now: try F.instant("2026-03-29T10:45:01Z")))
        #expect(NoShowRule.cutoff(now: try F.instant("2026-03-29T10:45:01Z"), settings: settings)
            == (try F.instant("2026-03-29T10:30:01Z")))
        let noGrace = CallSettings(graceSeconds: 0)
        #expect(!NoShowRule.isDue(appointment, settings: noGrace, now: try F.instant("2026-03-29T10:30:00Z")))
        #expect(NoShowRule.isDue(appointment, settings: noGrace, now: try F.instant("2026-03-29T10:30:01Z")))
    }

    @Test("only scheduled, never started appointments are no-shows")
    func noShowStatus() throws {
        let late = try F.instant("2026-03-30T00:00:00Z")
        for status in AppointmentStatus.allCases where status != .scheduled {
            #expect(!NoShowRule.isDue(try F.appointment(status: status), settings: settings, now: late))
        }
        let started = try F.appointment(startedAt: try F.instant("2026-03-29T10:01:00Z"))
        #expect(!NoShowRule.isDue(started, settings: settings, now: late))
    }

    @Test("the cutoff form agrees with the window's isClosed around the edge, to the millisecond")
    func noShowMatchesWindow() throws {
        var appointment = try F.appointment()
        appointment.scheduledAt = try F.instant("2026-03-29T10:00:00.250Z")
        let window = appointment.window(settings: settings)
        for millis in stride(from: -2000, through: 2000, by: 125) {
            let now = window.closesAt.addingTimeInterval(Double(millis) / 1000)
            #expect(NoShowRule.isDue(appointment, settings: settings, now: now) == window.isClosed(at: now), "at \(millis) ms")
        }
    }

    @Test("a no-show marks the appointment and closes its call with window_closed")
    func noShowOutcome() throws {
        #expect(NoShowRule.transition == .markNoShow)
        #expect(try AppointmentStatus.scheduled.applying(NoShowRule.transition) == .noShow)
        #expect(NoShowRule.sessionAction == .close(.windowClosed))
        #expect(try CallState.accepted.applying(NoShowRule.sessionAction).endReason == .windowClosed)
        #expect(NoShowRule.audit == .noShow)
    }

    // MARK: - Reaper

    @Test("ringing: timeout_no_answer strictly after 30 s")
    func reapRinging() throws {
        let session = try F.session(.ringing)
        #expect(ReaperRule.verdict(for: session, appointmentStatus: .inProgress, settings: settings, now: try F.instant("2026-03-29T10:00:30Z")) == nil)
        let verdict = try #require(ReaperRule.verdict(for: session, appointmentStatus: .inProgress, settings: settings, now: try F.instant("2026-03-29T10:00:31Z")))
        #expect(verdict == ReapVerdict(step: try CallState.ringing.applying(.close(.timeoutNoAnswer)), appointment: nil, audit: .timeout))
        #expect(verdict.reason == .timeoutNoAnswer)
    }

    @Test("accepted: connect_timeout strictly after 60 s from accepted_at")
    func reapAccepted() throws {
        let session = try F.session(.accepted)
        #expect(ReaperRule.verdict(for: session, appointmentStatus: .inProgress, settings: settings, now: try F.instant("2026-03-29T10:01:10Z")) == nil)
        let verdict = try #require(ReaperRule.verdict(for: session, appointmentStatus: .inProgress, settings: settings, now: try F.instant("2026-03-29T10:01:11Z")))
        #expect(verdict.reason == .connectTimeout)
        #expect(verdict.audit == .timeout)
        #expect(verdict.appointment == nil)
        #expect(verdict.step.stamps == [.endedAt])
    }

    @Test("in_call: heartbeat_lost strictly after 90 s from connected_at, then from the last heartbeat; completes only an in_progress appointment")
    func reapInCall() throws {
        var session = try F.session(.inCall)
        #expect(ReaperRule.verdict(for: session, appointmentStatus: .inProgress, settings: settings, now: try F.instant("2026-03-29T10:01:50Z")) == nil)
        let verdict = try #require(ReaperRule.verdict(for: session, appointmentStatus: .inProgress, settings: settings, now: try F.instant("2026-03-29T10:01:51Z")))
        #expect(verdict.reason == .heartbeatLost)
        #expect(verdict.audit == .reaped)
        #expect(verdict.appointment == .complete)
        #expect(verdict.appointment?.stamps == [.endedAt])

        let late = try F.instant("2026-03-29T10:01:51Z")
        for status in AppointmentStatus.allCases where status != .inProgress {
            let other = try #require(ReaperRule.verdict(for: session, appointmentStatus: status, settings: settings, now: late))
            #expect(other.reason == .heartbeatLost)
            #expect(other.appointment == nil, "an appointment that is \(status.rawValue) is not completed")
        }
        #expect(ReaperRule.verdict(for: session, appointmentStatus: nil, settings: settings, now: late)?.appointment == nil)

        session.lastHeartbeatAt = try F.instant("2026-03-29T10:05:00Z")
        #expect(ReaperRule.verdict(for: session, appointmentStatus: .inProgress, settings: settings, now: try F.instant("2026-03-29T10:06:30Z")) == nil)
        #expect(ReaperRule.verdict(for: session, appointmentStatus: .inProgress, settings: settings, now: try F.instant("2026-03-29T10:06:31Z"))?.reason == .heartbeatLost)
    }

    @Test("in_call: heartbeats keep a call open only up to timeouts.max_call from connected_at, then max_duration; silence still wins")
    func reapMaxDuration() throws {
        let settings = CallSettings(maxCallSeconds: 3600)
        var session = try F.session(.inCall)  // connected 10:00:20
        session.lastHeartbeatAt = try F.instant("2026-03-29T11:00:20Z")
        #expect(ReaperRule.verdict(for: session, appointmentStatus: .inProgress, settings: settings, now: try F.instant("2026-03-29T11:00:20Z")) == nil)
        let verdict = try #require(ReaperRule.verdict(for: session, appointmentStatus: .inProgress, settings: settings,
                                                      now: try F.instant("2026-03-29T11:00:21Z")))
        #expect(verdict.reason == .maxDuration)
        #expect(verdict.audit == .reaped)
        #expect(verdict.appointment == .complete)
        #expect(ReaperRule.verdict(for: session, appointmentStatus: .inProgress, settings: settings,
                                   now: try F.instant("2026-03-29T11:01:51Z"))?.reason == .heartbeatLost)
    }

    @Test("ended calls are never reaped and have no cutoff")
    func reapEnded() throws {
        #expect(ReaperRule.verdict(for: try F.session(.ended), appointmentStatus: .inProgress, settings: settings, now: .distantFuture) == nil)
        #expect(ReaperRule.cutoff(for: .ended, settings: settings, now: .distantFuture) == nil)
        #expect(ReaperRule.reason(for: .ended) == nil)
    }

    @Test("cutoffs per state follow the settings")
    func reapCutoffs() throws {
        let now = try F.instant("2026-03-29T12:00:00Z")
        let custom = CallSettings(ringingTimeoutSeconds: 5, connectTimeoutSeconds: 7, heartbeatTimeoutSeconds: 11)
        #expect(ReaperRule.cutoff(for: .ringing, settings: custom, now: now) == now.addingTimeInterval(-5))
        #expect(ReaperRule.cutoff(for: .accepted, settings: custom, now: now) == now.addingTimeInterval(-7))
        #expect(ReaperRule.cutoff(for: .inCall, settings: custom, now: now) == now.addingTimeInterval(-11))
        #expect(ReaperRule.reason(for: .ringing) == .timeoutNoAnswer)
        #expect(ReaperRule.reason(for: .accepted) == .connectTimeout)
        #expect(ReaperRule.reason(for: .inCall) == .heartbeatLost)
    }

    @Test("an accepted row without accepted_at counts from requested_at")
    func reapFallback() throws {
        var session = try F.session(.accepted)
        session.acceptedAt = nil
        #expect(ReaperRule.verdict(for: session, appointmentStatus: .inProgress, settings: settings, now: try F.instant("2026-03-29T10:01:00Z")) == nil)
        #expect(ReaperRule.verdict(for: session, appointmentStatus: .inProgress, settings: settings, now: try F.instant("2026-03-29T10:01:01Z"))?.reason == .connectTimeout)
    }

    // MARK: - Zombie appointments

    @Test("zombie: strictly after 10 min from started_at when no call ever ended")
    func zombieFromStart() throws {
        let appointment = try F.appointment(status: .inProgress, startedAt: try F.instant("2026-03-29T10:00:20Z"))
        func due(_ text: String, open: Bool = false, ended: Date? = nil) throws -> Bool {
            ZombieAppointmentRule.isDue(appointment, hasOpenSession: open, lastSessionEndedAt: ended, settings: settings, now: try F.instant(text))
        }
        #expect(try !due("2026-03-29T10:10:20Z"))
        #expect(try due("2026-03-29T10:10:21Z"))
        #expect(try !due("2026-03-29T11:00:00Z", open: true))
        let ended = try F.instant("2026-03-29T10:20:00Z")
        #expect(try !due("2026-03-29T10:30:00Z", ended: ended))
        #expect(try due("2026-03-29T10:30:01Z", ended: ended))
    }

    @Test("zombie: only in_progress appointments; scheduled_at when nothing else is known")
    func zombieStatus() throws {
        let late = try F.instant("2026-03-30T00:00:00Z")
        for status in AppointmentStatus.allCases where status != .inProgress {
            #expect(!ZombieAppointmentRule.isDue(try F.appointment(status: status), hasOpenSession: false, lastSessionEndedAt: nil, settings: settings, now: late))
        }
        let bare = try F.appointment(status: .inProgress)
        #expect(!ZombieAppointmentRule.isDue(bare, hasOpenSession: false, lastSessionEndedAt: nil, settings: settings, now: try F.instant("2026-03-29T10:10:00Z")))
        #expect(ZombieAppointmentRule.isDue(bare, hasOpenSession: false, lastSessionEndedAt: nil, settings: settings, now: try F.instant("2026-03-29T10:10:01Z")))
        #expect(ZombieAppointmentRule.cutoff(now: late, settings: settings) == late.addingTimeInterval(-600))
        #expect(ZombieAppointmentRule.transition == .complete)
        #expect(ZombieAppointmentRule.audit == .reaped)
    }
}
