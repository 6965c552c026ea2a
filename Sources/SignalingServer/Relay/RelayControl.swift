import Foundation
import TimeUnits

/// The stop and wake-up flags the relay's threads share. Waits end early when the relay stops;
/// ``waitForWake(upTo:)`` also ends when another thread calls ``wake()``.
final class RelayControl: @unchecked Sendable {
    private let condition = NSCondition()
    private var stopped = false
    private var woken = false

    /// True once ``stop()`` was called.
    var isStopped: Bool {
        condition.withLock { stopped }
    }

    /// Ends every wait, now and later.
    func stop() {
        condition.withLock {
            stopped = true
            condition.broadcast()
        }
    }

    /// Ends the current (or the next) ``waitForWake(upTo:)``.
    func wake() {
        condition.withLock {
            woken = true
            condition.broadcast()
        }
    }

    /// Waits up to `duration`, or until ``stop()``.
    func sleep(_ duration: Duration) {
        wait(duration, endsOnWake: false)
    }

    /// Waits up to `duration`, or until ``wake()`` or ``stop()``; consumes the wake-up.
    func waitForWake(upTo duration: Duration) {
        wait(duration, endsOnWake: true)
    }

    private func wait(_ duration: Duration, endsOnWake: Bool) {
        let deadline = Date().addingTimeInterval(duration.seconds)
        condition.withLock {
            while !stopped, !(endsOnWake && woken), condition.wait(until: deadline) {}
            if endsOnWake { woken = false }
        }
    }
}
