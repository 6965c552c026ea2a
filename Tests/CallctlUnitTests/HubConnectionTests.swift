import NIOCore
import PusherProtocol
@testable import SignalingServer
import Testing

/// The per-connection queue of the hub: held-back messages during a subscription, presence
/// announcements de-duplicated against the member list, and the slow-client limit.
@Suite("hub connection queue")
struct HubConnectionTests {
    private func connection() -> HubConnection {
        HubConnection(socketID: SocketID("1.2")!, app: PusherApp(id: "1", key: "k", secret: "secret-123"))
    }

    private func drain(_ connection: HubConnection) async -> [String] {
        connection.finish()
        var texts: [String] = []
        for await item in connection.outbound {
            if case .text(let bytes) = item { texts.append(String(buffer: bytes)) }
        }
        return texts
    }

    @Test("messages of a channel being subscribed wait for subscription_succeeded; stale presence changes are dropped")
    func heldBack() async {
        let c = connection()
        c.beginSubscription("presence-a")
        c.deliver(ByteBuffer(string: "added-1"), on: "presence-a", presence: .added("1"))
        c.deliver(ByteBuffer(string: "added-3"), on: "presence-a", presence: .added("3"))
        c.deliver(ByteBuffer(string: "removed-4"), on: "presence-a", presence: .removed("4"))
        c.deliver(ByteBuffer(string: "other"), on: "public-b", presence: nil)
        c.completeSubscription("presence-a", with: "succeeded", members: ["1", "2"])
        c.deliver(ByteBuffer(string: "added-2"), on: "presence-a", presence: .added("2"))
        c.deliver(ByteBuffer(string: "removed-2"), on: "presence-a", presence: .removed("2"))
        c.deliver(ByteBuffer(string: "removed-2-again"), on: "presence-a", presence: .removed("2"))
        #expect(await drain(c) == ["other", "succeeded", "added-3", "removed-2"])
    }

    @Test("an abandoned subscription drops what was held back")
    func abandoned() async {
        let c = connection()
        c.beginSubscription("private-a")
        c.deliver(ByteBuffer(string: "event"), on: "private-a", presence: nil)
        c.abandonSubscription("private-a")
        c.deliver(ByteBuffer(string: "later"), on: "private-a", presence: nil)
        #expect(await drain(c) == ["later"])
    }

    @Test("a client that lets the queue fill up is marked overflowed and its queue ends")
    func overflow() async {
        let c = connection()
        for n in 0...HubConnection.bufferLimit { c.send("\(n)") }
        #expect(c.overflowed)
        var count = 0
        for await _ in c.outbound { count += 1 }
        #expect(count == HubConnection.bufferLimit)
    }

    @Test("the client-event budget refills every second")
    func clientEventBudget() {
        let c = connection()
        let start = ContinuousClock.now
        #expect((0..<3).allSatisfy { _ in c.admitClientEvent(perSecond: 3, now: start) })
        #expect(!c.admitClientEvent(perSecond: 3, now: start + .milliseconds(500)))
        #expect(c.admitClientEvent(perSecond: 3, now: start + .seconds(1)))
    }

    @Test("silence past the activity timeout asks for a ping; no answer within the pong timeout is dead")
    func liveness() {
        let start = ContinuousClock.now
        let c = HubConnection(socketID: SocketID("1.2")!, app: PusherApp(id: "1", key: "k", secret: "secret-123"), now: start)
        #expect(c.liveness(activity: .seconds(10), pong: .seconds(2), now: start + .seconds(9)) == .alive)
        #expect(c.liveness(activity: .seconds(10), pong: .seconds(2), now: start + .seconds(10)) == .ping)
        #expect(c.liveness(activity: .seconds(10), pong: .seconds(2), now: start + .seconds(11)) == .alive)
        #expect(c.liveness(activity: .seconds(10), pong: .seconds(2), now: start + .seconds(12)) == .dead)
        c.touch(start + .seconds(12))
        #expect(c.liveness(activity: .seconds(10), pong: .seconds(2), now: start + .seconds(13)) == .alive)
    }

    @Test("presence changes are read from member_added / member_removed data")
    func presenceChange() {
        #expect(Hub.presenceChange(HubEvent(appID: "1", channel: "presence-a", event: "pusher_internal:member_added",
                                            data: #"{"user_id":"7","user_info":{}}"#)) == .added("7"))
        #expect(Hub.presenceChange(HubEvent(appID: "1", channel: "presence-a", event: "pusher_internal:member_removed",
                                            data: #"{"user_id":"7"}"#)) == .removed("7"))
        #expect(Hub.presenceChange(HubEvent(appID: "1", channel: "presence-a", event: "client-x", data: #"{"user_id":"7"}"#)) == nil)
    }
}
