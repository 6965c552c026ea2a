/// A one-line chart of counts with the block characters `▁▂▃▄▅▆▇█`.
enum Sparkline {
    private static let levels = Array("▁▂▃▄▅▆▇█")

    /// One character per value, scaled to the largest; zero is the lowest block and any
    /// non-zero value is at least one step above it.
    static func render(_ values: [Int]) -> String {
        let top = values.max() ?? 0
        return String(values.map { value in
            guard top > 0, value > 0 else { return levels[0] }
            let level = Int((Double(value) / Double(top) * Double(levels.count - 1)).rounded())
            return levels[max(1, level)]
        })
    }
}
