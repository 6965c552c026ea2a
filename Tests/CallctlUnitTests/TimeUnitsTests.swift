import Foundation
import Offloading
import Testing
import TimeUnits

@Suite("Time units and offloading")
struct TimeUnitsTests {
    @Test("durations in seconds and milliseconds")
    func units() {
        #expect(Duration.seconds(90).seconds == 90)
        #expect(Duration.milliseconds(1500).seconds == 1.5)
        #expect(Duration.microseconds(1234).milliseconds == 1.234)
        #expect(Duration.nanoseconds(1_234_567).milliseconds == 1.234, "microsecond resolution")
        #expect(Duration.seconds(2).milliseconds == 2000)
        #expect(Duration.nanoseconds(1_234_567).roundedMilliseconds == 1.234)
        #expect(Duration.zero.roundedMilliseconds == 0)
    }

    @Test("offloaded work returns its value or its typed error, off the calling thread")
    func offloading() async throws {
        struct Refusal: Error, Equatable { let code: Int }
        let caller = Self.threadName()
        let (value, thread) = try await Offloading.run { () throws(Refusal) in (42, Self.threadName()) }
        #expect(value == 42)
        #expect(thread != caller)
        await #expect(throws: Refusal(code: 7)) { try await Offloading.run { () throws(Refusal) -> Int in throw Refusal(code: 7) } }
    }

    /// The current thread, from a synchronous function (async code may not ask).
    static func threadName() -> String { Thread.current.description }

    @Test("a deadline gives nil when the work outlives it, and the value when it does not")
    func deadline() async {
        // The work finishes only after the answer came, so the deadline must have given it,
        // however slowly a loaded machine runs the timer.
        let release = DispatchSemaphore(value: 0)
        let late = await Offloading.run(timeout: .milliseconds(50)) { () -> Int in
            release.wait()
            return 1
        }
        release.signal()
        #expect(late == nil)
        let prompt = await Offloading.run(timeout: .seconds(30)) { 2 }
        #expect(prompt == 2)
    }
}
