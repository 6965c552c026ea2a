import Foundation

/// A JUnit XML document, so a CI pipeline shows each check as a test case: `diagnose echo`,
/// `diagnose db` and the probes write one with `--format junit`.
struct JUnitReport {
    /// One test case.
    struct Case {
        /// How a check went, as JUnit says it.
        enum Outcome {
            /// Passed; `output` (details, or a warning) goes to `<system-out>`.
            case passed(output: String)
            /// Failed: `message` is the verdict, `type` its kind, `detail` the element text.
            case failed(message: String, type: String, detail: String)
            /// Not run, and why.
            case skipped(message: String)
        }

        let classname: String
        let name: String
        let seconds: Double
        let outcome: Outcome
    }

    /// The `<testsuites>` name, e.g. `callctl diagnose`.
    let name: String
    /// The one `<testsuite>`'s name.
    let suite: String
    let cases: [Case]

    /// The whole document, with a final newline.
    var document: String {
        let failures = cases.filter { if case .failed = $0.outcome { true } else { false } }.count
        let skipped = cases.filter { if case .skipped = $0.outcome { true } else { false } }.count
        let counts = "tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"0\" skipped=\"\(skipped)\" "
            + "time=\"\(Self.time(cases.reduce(0) { $0 + $1.seconds }))\""
        var lines = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>", "<testsuites name=\"\(Self.escape(name))\" \(counts)>",
                     "  <testsuite name=\"\(Self.escape(suite))\" \(counts)>"]
        for item in cases {
            lines.append("    <testcase classname=\"\(Self.escape(item.classname))\" name=\"\(Self.escape(item.name))\" time=\"\(Self.time(item.seconds))\">")
            switch item.outcome {
            case .passed(let output):
                lines.append("      <system-out>\(Self.escape(output))</system-out>")
            case .failed(let message, let type, let detail):
                lines.append("      <failure message=\"\(Self.escape(message))\" type=\"\(Self.escape(type))\">\(Self.escape(detail))</failure>")
            case .skipped(let message):
                lines.append("      <skipped message=\"\(Self.escape(message))\"/>")
            }
            lines.append("    </testcase>")
        }
        lines += ["  </testsuite>", "</testsuites>"]
        return lines.joined(separator: "\n") + "\n"
    }

    /// Seconds with millisecond precision.
    private static func time(_ seconds: Double) -> String { String(format: "%.3f", seconds) }

    /// Text for an XML attribute or element: markup characters escaped, control characters dropped.
    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n", "\t": out += " "
            case _ where scalar.value < 0x20: continue
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
