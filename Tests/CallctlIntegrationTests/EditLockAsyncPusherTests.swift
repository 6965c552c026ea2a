import Foundation
import Testing

/// The edit lock judged by a third-party Pusher client, `asyncpusher` (PyPI), as two browsers
/// on two daemons sharing one database, authorized through its `channel_authenticator` callback
/// by the daemons' `/broadcasting/auth` (Peers/lock_asyncpusher.py).
@Suite("callctl serve: the edit lock, judged by asyncpusher", .serialized)
struct EditLockAsyncPusherTests {
    private typealias Lock = EditLockTests

    @Test("refuse: A holds through one daemon; B, through the other, is refused naming A, and A is told; once A disconnected B holds")
    func refuse() throws {
        let c = try EditLockTests.Clinic("refuse")
        let second = try ServeProcess.start(c.s.world.database)
        defer { _ = try? second.stop() }
        let out = try c.run("refuse", [c.s.server, second], file: "lock_asyncpusher.py")
        let (a, b) = (c.id("A"), c.id("B"))
        #expect(Lock.names(out["a_joined"]) == ["pusher_internal:subscription_succeeded", "LockHeld", "LockAcquired"], "\(out)")
        #expect(Lock.data(out["a_joined"], "LockAcquired")["holder"] as? String == a, "\(out)")
        let refusal = Lock.data(out["b_refused"], "pusher:subscription_error")
        #expect(Lock.names(out["b_refused"]) == ["pusher:subscription_error"], "\(out)")
        #expect(refusal["type"] as? String == "LockHeld" && refusal["status"] as? Int == 409 && refusal["holder"] as? String == a, "\(out)")
        #expect(refusal["since"] as? String == Lock.data(out["a_joined"], "LockHeld")["since"] as? String, "\(out)")
        #expect(Lock.names(out["a_told"]) == ["LockContended"], "\(out)")
        #expect(Lock.data(out["a_told"], "LockContended")["by"] as? String == b, "\(out)")
        #expect(Lock.data(out["a_told"], "LockContended")["outcome"] as? String == "refused", "\(out)")
        #expect(Lock.names(out["b_rejoined"]) == ["pusher_internal:subscription_succeeded", "LockHeld", "LockAcquired"], "\(out)")
        #expect(Lock.data(out["b_rejoined"], "LockAcquired")["holder"] as? String == b, "\(out)")
    }

    @Test("watch: B, on the other daemon, watches and is told A holds; A is told; A disconnects and B takes the lock")
    func watch() throws {
        let c = try EditLockTests.Clinic("watch")
        let second = try ServeProcess.start(c.s.world.database)
        defer { _ = try? second.stop() }
        let out = try c.run("watch", [c.s.server, second], file: "lock_asyncpusher.py")
        let (a, b) = (c.id("A"), c.id("B"))
        #expect(Lock.names(out["b_joined"]) == ["pusher_internal:subscription_succeeded", "LockHeld", "LockContended"], "\(out)")
        #expect(Lock.data(out["b_joined"], "LockHeld")["holder"] as? String == a, "\(out)")
        #expect(Lock.names(out["a_told"]) == ["pusher_internal:member_added", "LockContended"], "\(out)")
        #expect(Lock.data(out["a_told"], "LockContended")["by"] as? String == b, "\(out)")
        #expect(Lock.data(out["a_told"], "LockContended")["outcome"] as? String == "watching", "\(out)")
        #expect(Lock.names(out["b_after_a"]) == ["pusher_internal:member_removed", "LockReleased", "LockAcquired"], "\(out)")
        #expect(Lock.data(out["b_after_a"], "LockReleased")["reason"] as? String == "disconnected", "\(out)")
        #expect(Lock.data(out["b_after_a"], "LockAcquired")["holder"] as? String == b, "\(out)")
    }
}
