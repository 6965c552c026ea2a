import CallStore
import Foundation
import PusherProtocol
@testable import SignalingServer
import Testing

/// The edit lock's messages as a browser reads them: names, channels and data members.
@Suite("edit lock events")
struct EditLockEventTests {
    let joined = Date(timeIntervalSince1970: 1_800_000_000.25)
    let left = Date(timeIntervalSince1970: 1_800_000_060.5)

    private func data(_ event: HubEvent) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(event.data.utf8))) as? [String: Any] ?? [:]
    }

    private func object(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    @Test("a departing holder's handover brings LockReleased then LockAcquired by the next holder; without a next holder only the release")
    func handover() {
        let next = PresenceRow(userID: "8", userInfo: nil, joinedAt: joined)
        var departure = PresenceDeparture(appID: "app", channel: "presence-doc.1", userID: "7")
        #expect(EditLock.events(after: departure, reason: .left).isEmpty, "not the holder: no lock event")
        departure.handover = LockHandover(heldSince: joined, next: next, at: left)
        let events = EditLock.events(after: departure, reason: .daemonGone)
        #expect(events.map(\.event) == ["LockReleased", "LockAcquired"])
        #expect(events.allSatisfy { $0.channel == "presence-doc.1" && $0.appID == "app" })
        #expect(data(events[0]).mapValues { "\($0)" } == [
            "holder": "7", "since": "2027-01-15T08:00:00.250Z", "at": "2027-01-15T08:01:00.500Z", "reason": "daemon_gone",
        ])
        #expect(data(events[1]).mapValues { "\($0)" } == ["holder": "8", "at": "2027-01-15T08:01:00.500Z"])
        departure.handover = LockHandover(heldSince: joined, next: nil, at: left)
        #expect(EditLock.events(after: departure, reason: .disconnected).map(\.event) == ["LockReleased"])
    }

    @Test("LockContended names the holder, who tried and what became of them")
    func contended() {
        let event = EditLock.contended(appID: "app", channel: "presence-doc.1", holder: "7", by: "9", outcome: .watching, at: left)
        #expect(event.event == "LockContended")
        #expect(data(event).mapValues { "\($0)" } == ["holder": "7", "by": "9", "outcome": "watching", "at": "2027-01-15T08:01:00.500Z"])
    }

    @Test("the refusal is a subscription_error of type LockHeld, status 409, naming the holder and since when; LockHeld carries the same")
    func refusalAndHeld() {
        let holder = PresenceRow(userID: "7", userInfo: #"{"name":"Dr Who"}"#, joinedAt: joined)
        let refusal = object(EditLock.refusal(channel: "presence-doc.1", holder: holder))
        #expect(refusal["event"] as? String == "pusher:subscription_error")
        #expect(refusal["channel"] as? String == "presence-doc.1")
        // Pusher carries `data` as JSON text.
        let body = (refusal["data"] as? String).map(object) ?? [:]
        #expect(body["type"] as? String == "LockHeld" && body["status"] as? Int == 409 && body["holder"] as? String == "7")
        #expect(body["since"] as? String == "2027-01-15T08:00:00.250Z")
        #expect((body["holderInfo"] as? [String: Any])?["name"] as? String == "Dr Who")
        #expect((body["error"] as? String)?.contains("held by user 7 since 2027-01-15T08:00:00.250Z") == true)
        let held = object(EditLock.held(appID: "app", channel: "presence-doc.1", holder: holder))
        #expect(held["event"] as? String == "LockHeld")
        let heldData = (held["data"] as? String).map(object) ?? [:]
        #expect(heldData["holder"] as? String == "7" && heldData["since"] as? String == "2027-01-15T08:00:00.250Z")
    }
}
