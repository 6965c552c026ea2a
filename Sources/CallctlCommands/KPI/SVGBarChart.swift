/// A small self-contained SVG bar chart: one bar per group, the largest value at the top, the
/// first, middle and last group named under the axis (the first starting and the last ending
/// at their slot's edge, inside the chart), and each bar's value in a `<title>`
/// (a tooltip, without scripts). Groups without data get no bar.
struct SVGBarChart {
    /// Bars in order: a label and the value, nil for no data.
    let bars: [(label: String, value: Double?)]
    /// How a value is written for people.
    let format: (Double?) -> String
    /// What the chart shows, for screen readers.
    let caption: String

    private let width = 720.0
    private let height = 200.0
    private let left = 64.0
    private let right = 8.0
    private let top = 12.0
    private let bottom = 28.0

    /// The `<svg>` element.
    var markup: String {
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        let largest = bars.compactMap(\.value).filter(\.isFinite).max() ?? 0
        let scale = largest > 0 ? largest : 1
        let slot = plotWidth / Double(max(bars.count, 1))
        var parts = ["<svg class=\"chart\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(HTMLText.escape(caption))\">"]
        parts.append(line(left, top + plotHeight, width - right, top + plotHeight, "axis"))
        parts.append(line(left, top, left, top + plotHeight, "axis"))
        parts.append(text(left - 6, top + 10, format(largest > 0 ? largest : nil), anchor: "end"))
        parts.append(text(left - 6, top + plotHeight, format(0), anchor: "end"))
        for (index, bar) in bars.enumerated() {
            guard let value = bar.value, value.isFinite else { continue }
            let barHeight = max(0, value / scale * plotHeight)
            let x = left + Double(index) * slot + slot * 0.1
            parts.append("<rect class=\"bar\" x=\"\(number(x))\" y=\"\(number(top + plotHeight - barHeight))\" "
                + "width=\"\(number(max(slot * 0.8, 0.5)))\" height=\"\(number(barHeight))\">"
                + "<title>\(HTMLText.escape("\(bar.label): \(format(value))"))</title></rect>")
        }
        // The first label starts at its slot and the last one ends at its slot, so neither is
        // clipped at the chart's edges however narrow the slots are; the middle one is centred.
        let labelled = Set([0, bars.count / 2, bars.count - 1]).sorted().filter { bars.indices.contains($0) }
        for index in labelled {
            let (x, anchor) = index == bars.count - 1 && bars.count > 1 ? (left + Double(index + 1) * slot, "end")
                : index == 0 && bars.count > 1 ? (left + Double(index) * slot, "start")
                : (left + (Double(index) + 0.5) * slot, "middle")
            parts.append(text(x, height - 8, bars[index].label, anchor: anchor))
        }
        parts.append("</svg>")
        return parts.joined(separator: "\n")
    }

    private func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, _ style: String) -> String {
        "<line class=\"\(style)\" x1=\"\(number(x1))\" y1=\"\(number(y1))\" x2=\"\(number(x2))\" y2=\"\(number(y2))\"/>"
    }

    private func text(_ x: Double, _ y: Double, _ content: String, anchor: String) -> String {
        "<text x=\"\(number(x))\" y=\"\(number(y))\" text-anchor=\"\(anchor)\">\(HTMLText.escape(content))</text>"
    }

    private func number(_ value: Double) -> String {
        PlainNumber.text((value * 10).rounded() / 10)
    }
}
