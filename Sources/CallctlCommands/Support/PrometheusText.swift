import Foundation

/// Prometheus text exposition (format 0.0.4) built family by family, for `--format prometheus`
/// and the `--metrics-file` of node_exporter's textfile collector: HELP and TYPE lines, escaped
/// label values, no timestamps.
struct PrometheusText {
    private var lines: [String] = []

    /// Starts a gauge family.
    mutating func gauge(_ name: String, help: String) {
        lines += ["# HELP \(name) \(Self.escape(help, quotes: false))", "# TYPE \(name) gauge"]
    }

    /// Adds a sample of the current family.
    mutating func sample(_ name: String, _ labels: [(String, String)], _ value: String) {
        let labelText = labels.isEmpty ? "" : "{" + labels.map { "\($0.0)=\"\(Self.escape($0.1, quotes: true))\"" }.joined(separator: ",") + "}"
        lines.append("\(name)\(labelText) \(value)")
    }

    /// The exposition text, ending with a newline.
    var text: String { lines.joined(separator: "\n") + "\n" }

    private static func escape(_ text: String, quotes: Bool) -> String {
        var escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
        if quotes { escaped = escaped.replacingOccurrences(of: "\"", with: "\\\"") }
        return escaped
    }
}
