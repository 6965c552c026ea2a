/// A `Duration` in the units reports, logs and timers use.
extension Duration {
    /// The duration in seconds, to the attosecond a `Double` can hold.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    /// The duration in milliseconds, with microsecond resolution (what timings print).
    public var milliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds / 1_000_000_000_000) / 1000
    }

    /// Milliseconds rounded to the microsecond, for JSON reports (`12.345`).
    public var roundedMilliseconds: Double {
        (milliseconds * 1000).rounded() / 1000
    }
}
