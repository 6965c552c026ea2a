import CallDomain
import Diagnostics
import Foundation
import TimeUnits

/// Result formats of `diagnose echo` and `diagnose peerjs`.
enum DiagnoseFormat: String, CaseIterable, Sendable {
    case text, json, junit
}

/// Prints a diagnosis: one line per check as text, JSON (`status`, `checks`) or JUnit XML.
struct DiagnoseRenderer {
    let format: DiagnoseFormat
    let output: Output

    /// Prints `report`; `title` heads the text and names the JUnit suite, whose cases are
    /// classed `classname`.
    func render<Name>(_ report: DiagnosisReport<Name>, title: String, classname: String = "diagnose.echo") throws {
        switch format {
        case .json: try output.json(DiagnoseJSON(report))
        case .junit: output.write(DiagnoseJUnit.document(report, suite: title, classname: classname))
        case .text: text(report, title: title)
        }
    }

    private func text<Name>(_ report: DiagnosisReport<Name>, title: String) {
        output.line(title)
        let width = report.checks.map(\.name.rawValue.count).max() ?? 0
        for check in report.checks {
            let name = check.name.rawValue.padding(toLength: width, withPad: " ", startingAt: 0)
            let time = check.status == .skip ? "" : Self.milliseconds(check.duration)
            var line = "\(check.status.rawValue.uppercased())  \(name)  \(time.padding(toLength: 10, withPad: " ", startingAt: 0))  \(check.detail)"
            if let verdict = check.verdict { line += " => \(verdict)" }
            output.line(line)
        }
        output.line(Self.summary(report))
    }

    /// The last line: the overall status and, on failure, the verdict to act on.
    static func summary<Name>(_ report: DiagnosisReport<Name>) -> String {
        let count = { (status: EchoCheckStatus) in report.checks.filter { $0.status == status }.count }
        let counts = "\(count(.pass)) passed, \(count(.warn)) warned, \(count(.fail)) failed, \(count(.skip)) skipped"
        let security = report.checks.filter(\.security).map(\.name.rawValue)
        if !security.isEmpty {
            return "SECURITY FAILURE (\(security.joined(separator: ", "))): the server grants what it must refuse; \(counts)"
        }
        guard let failure = report.firstFailure else { return "\(report.status.rawValue.uppercased()): \(counts)" }
        return "FAIL at \(failure.name.rawValue): \(failure.verdict ?? failure.detail) (\(counts))"
    }

    /// `0.412 ms` / `12.3 ms`.
    static func milliseconds(_ duration: Duration) -> String {
        String(format: "%.1f ms", duration.roundedMilliseconds)
    }
}

/// `--format json`: `{"status", "checks": [{"name", "status", "duration_ms", "detail", "verdict"}]}`.
struct DiagnoseJSON: Encodable {
    struct Check: Encodable {
        let name: String
        let status: String
        let durationMS: Double
        let detail: String
        @NullWhenAbsent var verdict: String?
        let security: Bool

        enum CodingKeys: String, CodingKey {
            case name, status, detail, verdict, security
            case durationMS = "duration_ms"
        }
    }

    let status: String
    let checks: [Check]

    init<Name>(_ report: DiagnosisReport<Name>) {
        status = report.status.rawValue
        checks = report.checks.map {
            Check(name: $0.name.rawValue, status: $0.status.rawValue, durationMS: $0.duration.roundedMilliseconds,
                  detail: $0.detail, verdict: $0.verdict, security: $0.security)
        }
    }

}
