import NIOCore
import TimeUnits

/// Durations as probes measure and print them.
public enum ProbeTiming {
    /// `0.42 ms`, `12.3 ms`, `1520 ms`: three significant digits or whole milliseconds.
    public static func text(_ duration: Duration) -> String {
        "\(number(duration.milliseconds)) ms"
    }

    /// A millisecond count with three significant digits below 100, whole above.
    public static func number(_ milliseconds: Double) -> String {
        let digits = milliseconds < 1 ? 3 : milliseconds < 10 ? 2 : milliseconds < 100 ? 1 : 0
        let scale = [1.0, 10, 100, 1000][digits]
        let rounded = (milliseconds * scale).rounded() / scale
        return digits == 0 ? String(Int(rounded)) : String(rounded)
    }

    /// The time between two instants of the event loops' clock.
    static func between(_ start: NIODeadline, _ end: NIODeadline) -> Duration {
        .nanoseconds((end - start).nanoseconds)
    }

    /// A Swift duration as NIO's time amount, in whole nanoseconds.
    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// The time since `start`.
    static func since(_ start: NIODeadline) -> Duration {
        between(start, .now())
    }
}
