import Foundation

/// Prometheus text exposition (format 0.0.4) built family by family, for `--format prometheus`
/// and the `--metrics-file` of node_exporter's textfile collector: HELP and TYPE lines, escaped
/// label values, no timestamps.
struct PrometheusText {
    /// One sample: its labels and value.
    typealias Sample = (labels: [(String, String)], value: Double)

    private var lines: [String] = []

    /// Starts a gauge family.
    mutating func gauge(_ name: String, help: String) {
        lines += ["# HELP \(name) \(Self.escape(help, quotes: false))", "# TYPE \(name) gauge"]
    }

    /// Adds a gauge family with all its samples.
    mutating func gauge(_ name: String, help: String, samples: [Sample]) {
        gauge(name, help: help)
        samples.forEach { sample(name, $0.labels, $0.value) }
    }

    /// Adds a sample of the current family.
    mutating func sample(_ name: String, _ labels: [(String, String)], _ value: Double) {
        let labelText = labels.isEmpty ? "" : "{" + labels.map { "\($0.0)=\"\(Self.escape($0.1, quotes: true))\"" }.joined(separator: ",") + "}"
        lines.append("\(name)\(labelText) \(PlainNumber.text(value))")
    }

    /// The exposition text, ending with a newline.
    var text: String { lines.joined(separator: "\n") + "\n" }

    private static func escape(_ text: String, quotes: Bool) -> String {
        var escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
        if quotes { escaped = escaped.replacingOccurrences(of: "\"", with: "\\\"") }
        return escaped
    }
}

/// Numbers for machines (CSV, Prometheus, SVG): integral values without a fraction, others in
/// the shortest form that reads back to the same `Double`.
enum PlainNumber {
    static func text(_ value: Double) -> String {
        if value.rounded() == value, abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}
