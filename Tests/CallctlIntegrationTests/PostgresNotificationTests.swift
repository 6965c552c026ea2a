import Foundation
import Postgres
import Testing

@Suite("Postgres wrapper: LISTEN/NOTIFY", .serialized)
struct PostgresNotificationTests {
    @Test("a notification from another session arrives with channel, payload and sender")
    func arrives() throws {
        let database = try TestDatabase()
        let listener = try database.connect()
        let sender = try database.connect()
        try listener.listen("callctl outbox")
        try sender.notify("callctl outbox", payload: "42")
        let notification = try #require(try listener.waitForNotification(timeout: .seconds(5)))
        #expect(notification.channel == "callctl outbox")
        #expect(notification.payload == "42")
        #expect(notification.senderPID == sender.backendPID)
    }

    @Test("the wait times out with nil when nothing is sent")
    func timesOut() throws {
        let listener = try TestDatabase().connect()
        try listener.listen("quiet")
        let started = ContinuousClock.now
        #expect(try listener.waitForNotification(timeout: .milliseconds(300)) == nil)
        #expect(ContinuousClock.now - started >= .milliseconds(290))
    }

    @Test("a notification sent inside a transaction is delivered at commit, never after a rollback")
    func transactional() throws {
        let database = try TestDatabase()
        let listener = try database.connect()
        let sender = try database.connect()
        try listener.listen("tx")
        struct Abort: Error {}
        _ = try? sender.transaction { connection -> Void in
            try connection.notify("tx", payload: "rolled back")
            throw Abort()
        }
        try sender.transaction { connection in
            try connection.notify("tx", payload: "committed")
            #expect(try listener.waitForNotification(timeout: .milliseconds(200)) == nil)
        }
        #expect(try listener.waitForNotification(timeout: .seconds(5))?.payload == "committed")
        #expect(try listener.waitForNotification(timeout: .milliseconds(200)) == nil)
    }
}
