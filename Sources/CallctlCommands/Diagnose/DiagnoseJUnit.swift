import Diagnostics
import Foundation
import TimeUnits

/// `--format junit`: JUnit XML so that a CI pipeline shows each check as a test case; a failed
/// check is a `<failure>` whose message is the verdict, a skipped one `<skipped>`, a warning a
/// passing case with the verdict in `<system-out>`.
enum DiagnoseJUnit {
    /// The whole document.
    static func document(_ report: EchoReport, suite: String) -> String {
        let failures = report.checks.filter { $0.status == .fail }.count
        let skipped = report.checks.filter { $0.status == .skip }.count
        let seconds = report.checks.reduce(0) { $0 + $1.duration.roundedMilliseconds } / 1000
        let counts = "tests=\"\(report.checks.count)\" failures=\"\(failures)\" errors=\"0\" skipped=\"\(skipped)\" time=\"\(time(seconds))\""
        var lines = [
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            "<testsuites name=\"callctl diagnose\" \(counts)>",
            "  <testsuite name=\"\(escape(suite))\" \(counts)>",
        ]
        for check in report.checks {
            let open = "    <testcase classname=\"diagnose.echo\" name=\"\(check.name.rawValue)\" time=\"\(time(check.duration.roundedMilliseconds / 1000))\""
            switch check.status {
            case .fail:
                lines.append(open + ">")
                lines.append("      <failure message=\"\(escape(check.verdict ?? check.detail))\" type=\"\(check.security ? "security" : "check")\">\(escape(check.detail))</failure>")
                lines.append("    </testcase>")
            case .skip:
                lines.append(open + ">")
                lines.append("      <skipped message=\"\(escape(check.detail))\"/>")
                lines.append("    </testcase>")
            case .pass, .warn:
                let out = check.verdict.map { "WARNING: \($0) (\(check.detail))" } ?? check.detail
                lines.append(open + ">")
                lines.append("      <system-out>\(escape(out))</system-out>")
                lines.append("    </testcase>")
            }
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
