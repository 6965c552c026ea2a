import CallStore
import Testing

@Suite("outbox backoff for the external Pusher server")
struct OutboxBackoffTests {
    @Test("doubles from 1 s per failed attempt and stops at 60 s", arguments: [
        (1, 1), (2, 2), (3, 4), (4, 8), (5, 16), (6, 32), (7, 60), (8, 60), (50, 60), (Int.max, 60),
    ] as [(Int, Int64)])
    func doubling(attempts: Int, seconds: Int64) {
        #expect(OutboxBackoff.delay(afterAttempts: attempts, jitter: 0) == .seconds(seconds))
    }

    @Test("jitter adds at most 10 %, never less than the base")
    func jitter() {
        #expect(OutboxBackoff.delay(afterAttempts: 1, jitter: 0.5) == .milliseconds(1050))
        #expect(OutboxBackoff.delay(afterAttempts: 7, jitter: 0.999) < .seconds(66))
        #expect(OutboxBackoff.delay(afterAttempts: 7, jitter: 0.999) > .seconds(65))
        #expect(OutboxBackoff.delay(afterAttempts: 3, jitter: -1) == .seconds(4))
        #expect(OutboxBackoff.delay(afterAttempts: 3, jitter: 7) == .milliseconds(4400))
    }

    @Test("zero or negative attempts count as the first failure")
    func firstFailure() {
        #expect(OutboxBackoff.delay(afterAttempts: 0, jitter: 0) == .seconds(1))
        #expect(OutboxBackoff.delay(afterAttempts: -3, jitter: 0) == .seconds(1))
    }
}
