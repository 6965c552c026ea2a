import CallDomain
import Foundation
import Testing

@Suite("Access window")
struct CallDomainAccessWindowTests {
    let defaults = CallSettings.defaults

    @Test("defaults give [scheduled − 10m, scheduled + duration + 15m]")
    func bounds() throws {
        let window = try DomainFixture.appointment().window(settings: defaults)
        #expect(window.opensAt == (try DomainFixture.instant("2026-03-29T09:50:00Z")))
        #expect(window.closesAt == (try DomainFixture.instant("2026-03-29T10:45:00Z")))
    }

    @Test("edges to the second: both ends inclusive")
    func edges() throws {
        let window = try DomainFixture.appointment().window(settings: defaults)
        let cases: [(String, WindowPosition)] = [
            ("2026-03-29T09:49:59Z", .tooEarly),
            ("2026-03-29T09:50:00Z", .open),
            ("2026-03-29T10:15:00Z", .open),
            ("2026-03-29T10:45:00Z", .open),
            ("2026-03-29T10:45:01Z", .closed),
        ]
        for (text, expected) in cases {
            #expect(window.position(at: try DomainFixture.instant(text)) == expected, "at \(text)")
        }
        #expect(window.position(at: window.opensAt.addingTimeInterval(-0.001)) == .tooEarly)
        #expect(window.position(at: window.closesAt.addingTimeInterval(0.001)) == .closed)
    }

    @Test("isClosed only strictly after closesAt")
    func isClosed() throws {
        let window = try DomainFixture.appointment().window(settings: defaults)
        #expect(!window.isClosed(at: window.opensAt.addingTimeInterval(-3600)))
        #expect(!window.isClosed(at: window.closesAt))
        #expect(window.isClosed(at: window.closesAt.addingTimeInterval(1)))
    }

    @Test("refusal codes per position")
    func refusals() {
        #expect(WindowPosition.tooEarly.refusal == .tooEarly)
        #expect(WindowPosition.open.refusal == nil)
        #expect(WindowPosition.closed.refusal == .tooLate)
    }

    @Test("the same instant written with different offsets gives the same answer")
    func offsets() throws {
        let utc = try DomainFixture.instant("2026-03-29T00:30:00Z")
        let paris = try DomainFixture.instant("2026-03-29T01:30:00+01:00")
        let kolkata = try DomainFixture.instant("2026-03-29T06:00:00+05:30")
        let newYork = try DomainFixture.instant("2026-03-28T20:30:00-04:00")
        #expect(utc == paris && paris == kolkata && kolkata == newYork)

        let fromParis = AccessWindow(scheduledAt: paris, durationMinutes: 30, leadSeconds: 600, graceSeconds: 900)
        let fromUTC = AccessWindow(scheduledAt: utc, durationMinutes: 30, leadSeconds: 600, graceSeconds: 900)
        #expect(fromParis == fromUTC)
        #expect(fromParis.position(at: try DomainFixture.instant("2026-03-29T01:20:00+01:00")) == .open)
        #expect(fromParis.position(at: try DomainFixture.instant("2026-03-29T00:19:59Z")) == .tooEarly)
        #expect(fromParis.position(at: try DomainFixture.instant("2026-03-29T03:15:01+02:00")) == .closed)
        #expect(fromParis.position(at: try DomainFixture.instant("2026-03-29T03:15:00+02:00")) == .open)
    }

    @Test("a window across the spring-forward change keeps its real length")
    func springForward() throws {
        // Europe/Paris jumps from 02:00 +01:00 to 03:00 +02:00 at 2026-03-29T01:00:00Z.
        let scheduled = try DomainFixture.instant("2026-03-29T01:50:00+01:00")
        let window = AccessWindow(scheduledAt: scheduled, durationMinutes: 30, leadSeconds: 600, graceSeconds: 900)
        #expect(window.closesAt.timeIntervalSince(window.opensAt) == 55 * 60)
        // Wall clock reads 03:35 local, but only 45 minutes passed since 01:50 local.
        #expect(window.closesAt == (try DomainFixture.instant("2026-03-29T03:35:00+02:00")))
        #expect(window.position(at: try DomainFixture.instant("2026-03-29T03:35:01+02:00")) == .closed)
        #expect(window.position(at: try DomainFixture.instant("2026-03-29T02:35:00Z")) == .closed)
    }

    @Test("a window across the fall-back change keeps its real length")
    func fallBack() throws {
        // America/New_York falls back from 02:00 -04:00 to 01:00 -05:00 at 2026-11-01T06:00:00Z.
        let scheduled = try DomainFixture.instant("2026-11-01T01:50:00-04:00")
        let window = AccessWindow(scheduledAt: scheduled, durationMinutes: 30, leadSeconds: 600, graceSeconds: 900)
        #expect(window.closesAt == (try DomainFixture.instant("2026-11-01T01:35:00-05:00")))
        // 01:40 local after the change is later than the close, though it reads earlier than 01:50.
        #expect(window.position(at: try DomainFixture.instant("2026-11-01T01:40:00-05:00")) == .closed)
        #expect(window.position(at: try DomainFixture.instant("2026-11-01T01:40:00-04:00")) == .open)
    }

    @Test("zero lead and grace give [scheduled, scheduled end]")
    func zeroLeadAndGrace() throws {
        let appointment = try DomainFixture.appointment()
        let window = appointment.window(settings: CallSettings(leadSeconds: 0, graceSeconds: 0))
        #expect(window.opensAt == appointment.scheduledAt)
        #expect(window.closesAt == appointment.scheduledEnd)
        #expect(window.position(at: appointment.scheduledAt.addingTimeInterval(-1)) == .tooEarly)
    }
}
