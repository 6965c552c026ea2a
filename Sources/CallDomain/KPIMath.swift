/// A rate as a numerator over a denominator, kept apart so groups can be summed before dividing.
public struct KPIRatio: Sendable, Equatable, Hashable {
    /// The counted events.
    public var numerator: Int
    /// What they are counted against.
    public var denominator: Int

    /// Creates a ratio.
    public init(_ numerator: Int, over denominator: Int) {
        self.numerator = numerator
        self.denominator = denominator
    }

    /// `numerator ÷ denominator`, or nil when the denominator is zero (no data is not 0 %).
    public var value: Double? {
        denominator == 0 ? nil : Double(numerator) / Double(denominator)
    }

    /// Adds two ratios term by term (the ratio of a union of groups).
    public static func + (lhs: KPIRatio, rhs: KPIRatio) -> KPIRatio {
        KPIRatio(lhs.numerator + rhs.numerator, over: lhs.denominator + rhs.denominator)
    }
}

/// Pure statistics for the KPI report, defined as PostgreSQL computes them.
public enum KPIMath {
    /// The arithmetic mean, or nil for no values (PostgreSQL `avg` of no rows is NULL).
    public static func mean(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }

    /// The continuous percentile of ascending `sorted` values, identical to PostgreSQL
    /// `percentile_cont(fraction) WITHIN GROUP (ORDER BY x)`: linear interpolation between the
    /// values at ranks `⌊fraction·(n−1)⌋` and `⌈fraction·(n−1)⌉`.
    ///
    /// Returns nil for no values or a fraction outside 0...1 (where PostgreSQL returns NULL or
    /// raises). `sorted` must be in ascending order.
    public static func percentileCont(_ fraction: Double, sorted: [Double]) -> Double? {
        guard !sorted.isEmpty, (0...1).contains(fraction) else { return nil }
        let position = fraction * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = Int(position.rounded(.up))
        let low = sorted[lower]
        return low + (position - Double(lower)) * (sorted[upper] - low)
    }

    /// A rate for people: `0.75` → `75.0%`, one decimal rounded half away from zero;
    /// nil (no data) or a non-finite value → `—`.
    public static func percentText(_ rate: Double?) -> String {
        guard let rate, rate.isFinite else { return "—" }
        let tenths = (rate * 1000).rounded()
        let sign = tenths < 0 ? "-" : ""
        let magnitude = Int(abs(tenths))
        return "\(sign)\(magnitude / 10).\(magnitude % 10)%"
    }
}
