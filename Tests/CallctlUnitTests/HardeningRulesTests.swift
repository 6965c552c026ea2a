import CallDomain
import CallStore
import Foundation
import ICE
@testable import SignalingServer
import Testing

/// The pure rules behind the trust hardening: whose X-Forwarded-For is believed, which
/// disagreements on the outbox's external target are reported, until when relay credentials
/// may live, how long a User-Agent is kept, and how batched subscription changes coalesce.
@Suite("trust hardening rules")
struct HardeningRulesTests {
    typealias F = DomainFixture

    @Test("trusted proxies: CIDR ranges; the right-most untrusted X-Forwarded-For entry is the client; an untrusted peer's header is ignored")
    func trustedProxies() throws {
        let ranges = try ["10.0.0.0/8", "127.0.0.1", "::1/128"].map { try #require(TrustedProxies.Range(parsing: $0)) }
        let proxies = TrustedProxies(ranges: ranges)
        #expect(proxies.trusts(try #require(IPAddress("10.200.3.4"))))
        #expect(!proxies.trusts(try #require(IPAddress("11.0.0.1"))))
        #expect(!proxies.trusts(try #require(IPAddress("::2"))))
        for bad in ["10.0.0.0/33", "nonsense", "10.0.0.0/", "::1/129", "10.0.0.0/８"] {
            #expect(TrustedProxies.Range(parsing: bad) == nil, "\(bad)")
        }
        #expect(proxies.clientAddress(peer: "203.0.113.5", forwardedFor: ["198.51.100.1"]) == "203.0.113.5")
        #expect(proxies.clientAddress(peer: "127.0.0.1", forwardedFor: ["6.6.6.6, 198.51.100.1, 10.1.1.1"]) == "198.51.100.1")
        #expect(proxies.clientAddress(peer: "127.0.0.1", forwardedFor: ["6.6.6.6", "198.51.100.1"]) == "198.51.100.1")
        #expect(proxies.clientAddress(peer: "127.0.0.1", forwardedFor: ["garbage, 10.1.1.1"]) == "10.1.1.1")
        #expect(proxies.clientAddress(peer: "127.0.0.1", forwardedFor: []) == "127.0.0.1")
        #expect(TrustedProxies.none.clientAddress(peer: "127.0.0.1", forwardedFor: ["198.51.100.1"]) == "127.0.0.1")
    }

    @Test("outbox destinations: agreement is quiet; a daemon without the declared target, a declared target nobody publishes to and a stray target are named")
    func destinations() {
        let a = UUID(), b = UUID()
        let target = "http://reverb:8080/apps/1"
        #expect(OutboxDestinations(declared: nil, daemons: [.init(id: a, target: nil)]).problems.isEmpty)
        #expect(OutboxDestinations(declared: target, daemons: [.init(id: a, target: target), .init(id: b, target: target)]).problems.isEmpty)
        let mixed = OutboxDestinations(declared: target, daemons: [.init(id: a, target: target), .init(id: b, target: nil)]).problems
        #expect(mixed.count == 1 && mixed[0].contains("has no CALLCTL_PUSHER_URL"))
        let orphaned = OutboxDestinations(declared: target, daemons: [.init(id: a, target: nil)]).problems
        #expect(orphaned.contains { $0.contains("no running daemon publishes to \(target)") && $0.contains("--forget") })
        #expect(OutboxDestinations(declared: target, daemons: []).problems.count == 1)
        let stray = OutboxDestinations(declared: nil, daemons: [.init(id: a, target: target)]).problems
        #expect(stray.count == 1 && stray[0].contains("no external target is declared"))
        let other = OutboxDestinations(declared: target, daemons: [.init(id: a, target: "http://other/apps/1")]).problems
        #expect(other.contains { $0.contains("but the database declares") })
    }

    @Test("relay credentials: until the window's end plus the grace; refused without a call outside the gates; an open call keeps them until the window closes")
    func relayDeadline() throws {
        let settings = CallSettings.defaults
        let appointment = try F.appointment()  // 10:00 for 30 min: the window is 09:50 – 10:45
        let context = CallFacts(actorUserId: F.patientUserId, appointment: appointment, doctor: F.activeDoctor)
        #expect(try CallPolicy.relayDeadline(facts: context, settings: settings, now: try F.instant("2026-03-29T10:10:00Z"))
            == (try F.instant("2026-03-29T10:45:00Z")))
        #expect(throws: DomainError.self) {
            try CallPolicy.relayDeadline(facts: context, settings: settings, now: try F.instant("2026-03-29T09:00:00Z"))
        }
        var stranger = context
        stranger.actorUserId = F.strangerUserId
        #expect(throws: DomainError(.notFound, "Appointment \(appointment.id) does not exist.")) {
            try CallPolicy.relayDeadline(facts: stranger, settings: settings, now: try F.instant("2026-03-29T10:10:00Z"))
        }
        var completed = context
        completed.appointment.status = .completed
        #expect((try? CallPolicy.relayDeadline(facts: completed, settings: settings, now: try F.instant("2026-03-29T10:10:00Z"))) == nil)
        completed.openSession = try F.session(.inCall)
        #expect(try CallPolicy.relayDeadline(facts: completed, settings: settings, now: try F.instant("2026-03-29T10:44:00Z"))
            == (try F.instant("2026-03-29T10:45:00Z")))
        #expect(throws: DomainError.self) {
            try CallPolicy.relayDeadline(facts: completed, settings: settings, now: try F.instant("2026-03-29T10:46:00Z"))
        }
    }

    @Test("the User-Agent kept in audit rows is at most 512 bytes, cut between code points")
    func userAgentCap() {
        #expect(ClientInfo(userAgent: "Mozilla/5.0").userAgent == "Mozilla/5.0")
        let long = String(repeating: "é", count: 400)  // 800 bytes
        let kept = ClientInfo(userAgent: long).userAgent ?? ""
        #expect(kept.utf8.count == 512 && kept == String(repeating: "é", count: 256))
        let odd = "a" + String(repeating: "€", count: 300)  // 1 + 900 bytes; € is 3 bytes
        #expect(ClientInfo(userAgent: odd).userAgent?.utf8.count == 511)
    }

    @Test("batched subscription changes coalesce per socket and channel; a closed socket drops its pending changes; the capacity refuses subscriptions only")
    func subscriptionCoalescing() {
        let writer = SubscriptionWriter()
        #expect(writer.enqueue(.subscribe(socket: "1.1", appID: "a", channel: "public-x")))
        #expect(writer.enqueue(.unsubscribe(socket: "1.1", appID: "a", channel: "public-x")))
        #expect(writer.enqueue(.subscribe(socket: "1.1", appID: "a", channel: "public-y")))
        #expect(writer.enqueue(.subscribe(socket: "2.2", appID: "a", channel: "public-x")))
        #expect(writer.enqueue(.disconnect(socket: "2.2")))
        #expect(writer.pendingChanges == [
            .unsubscribe(socket: "1.1", appID: "a", channel: "public-x"), .subscribe(socket: "1.1", appID: "a", channel: "public-y"),
            .disconnect(socket: "2.2"),
        ])
        let full = SubscriptionWriter()
        for index in 0..<SubscriptionWriter.capacity {
            full.enqueue(.subscribe(socket: "3.3", appID: "a", channel: "public-\(index)"))
        }
        #expect(!full.enqueue(.subscribe(socket: "4.4", appID: "a", channel: "public-z")))
        #expect(full.enqueue(.unsubscribe(socket: "3.3", appID: "a", channel: "public-0")))
        #expect(full.enqueue(.disconnect(socket: "3.3")))
        #expect(full.pendingChanges == [.disconnect(socket: "3.3")])
    }
}
