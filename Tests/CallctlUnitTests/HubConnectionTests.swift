import Foundation
import NIOCore
import PusherProtocol
@testable import SignalingServer
import Testing

/// The per-connection queue of the hub: held-back messages during a subscription, presence
/// announcements de-duplicated against the member list, and the slow-client limit.
@Suite("hub connection queue")
struct HubConnectionTests {
    /// Records what a connection sends; `writable` is what the socket reports.
    final class RecordingSink: HubSink, @unchecked Sendable {
        private let lock = NSLock()
        private var frames: [String] = []
        private var closes: [PusherErrorCode] = []
        var writable = true
        var eventLoop: (any EventLoop)? { nil }

        func write(_ text: ByteBuffer) -> Bool {
            lock.withLock { frames.append(String(buffer: text)) }
            return writable
        }

        func close(_ code: PusherErrorCode, reason: String) { lock.withLock { closes.append(code) } }

        var sent: [String] { lock.withLock { frames } }
        var closed: [PusherErrorCode] { lock.withLock { closes } }
    }

    private func connection(_ sink: RecordingSink, now: ContinuousClock.Instant = .now) -> HubConnection {
        HubConnection(socketID: SocketID("1.2")!, app: PusherApp(id: "1", key: "k", secret: "secret-123"), sink: sink, now: now)
    }

    @Test("messages of a channel being subscribed wait for subscription_succeeded; stale presence changes are dropped")
    func heldBack() {
        let sink = RecordingSink()
        let c = connection(sink)
        c.beginSubscription("presence-a")
        c.deliver(ByteBuffer(string: "added-1"), on: "presence-a", presence: .added("1"))
        c.deliver(ByteBuffer(string: "added-3"), on: "presence-a", presence: .added("3"))
        c.deliver(ByteBuffer(string: "removed-4"), on: "presence-a", presence: .removed("4"))
        c.deliver(ByteBuffer(string: "other"), on: "public-b", presence: nil)
        c.completeSubscription("presence-a", with: "succeeded", members: ["1", "2"])
        c.deliver(ByteBuffer(string: "added-2"), on: "presence-a", presence: .added("2"))
        c.deliver(ByteBuffer(string: "removed-2"), on: "presence-a", presence: .removed("2"))
        c.deliver(ByteBuffer(string: "removed-2-again"), on: "presence-a", presence: .removed("2"))
        #expect(sink.sent == ["other", "succeeded", "added-3", "removed-2"])
    }

    @Test("an abandoned subscription drops what was held back")
    func abandoned() {
        let sink = RecordingSink()
        let c = connection(sink)
        c.beginSubscription("private-a")
        c.deliver(ByteBuffer(string: "event"), on: "private-a", presence: nil)
        c.abandonSubscription("private-a")
        c.deliver(ByteBuffer(string: "later"), on: "private-a", presence: nil)
        #expect(sink.sent == ["later"])
    }

    @Test("a client that stays unwritable for bufferLimit messages is closed once with 4100; nothing is sent after a close")
    func overflow() {
        let sink = RecordingSink()
        let c = connection(sink)
        sink.writable = false
        for n in 0..<HubConnection.bufferLimit { c.send("\(n)") }
        #expect(sink.closed == [.overCapacity])
        c.send("after")
        c.close(.reconnectImmediately, reason: "shutdown")
        #expect(sink.sent.count == HubConnection.bufferLimit)
        #expect(sink.closed == [.overCapacity])
    }

    @Test("a client that becomes writable again starts a new count")
    func recovers() {
        let sink = RecordingSink()
        let c = connection(sink)
        sink.writable = false
        for n in 0..<(HubConnection.bufferLimit - 1) { c.send("\(n)") }
        sink.writable = true
        c.send("drained")
        sink.writable = false
        for n in 0..<(HubConnection.bufferLimit - 1) { c.send("\(n)") }
        #expect(sink.closed.isEmpty)
    }

    @Test("the client-event budget refills every second")
    func clientEventBudget() {
        let c = connection(RecordingSink())
        let start = ContinuousClock.now
        #expect((0..<3).allSatisfy { _ in c.admitClientEvent(perSecond: 3, now: start) })
        #expect(!c.admitClientEvent(perSecond: 3, now: start + .milliseconds(500)))
        #expect(c.admitClientEvent(perSecond: 3, now: start + .seconds(1)))
    }

    @Test("silence past the activity timeout asks for a ping; no answer within the pong timeout is dead")
    func liveness() {
        let start = ContinuousClock.now
        let c = connection(RecordingSink(), now: start)
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
