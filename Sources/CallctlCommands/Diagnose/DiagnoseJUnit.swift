import Diagnostics
import Foundation
import TimeUnits

/// `diagnose echo|peerjs --format junit`: a failed check is a `<failure>` whose message is the verdict
/// (type `security` for a refusal that did not happen), a skipped one `<skipped>`, a warning a
/// passing case with the verdict in `<system-out>`.
enum DiagnoseJUnit {
    /// The whole document.
    static func document<Name>(_ report: DiagnosisReport<Name>, suite: String, classname: String) -> String {
        JUnitReport(name: "callctl diagnose", suite: suite, cases: report.checks.map { check in
            let outcome: JUnitReport.Case.Outcome = switch check.status {
            case .fail: .failed(message: check.verdict ?? check.detail, type: check.security ? "security" : "check", detail: check.detail)
            case .skip: .skipped(message: check.detail)
            case .pass, .warn: .passed(output: check.verdict.map { "WARNING: \($0) (\(check.detail))" } ?? check.detail)
            }
            return JUnitReport.Case(classname: classname, name: check.name.rawValue,
                                    seconds: check.duration.roundedMilliseconds / 1000, outcome: outcome)
        }).document
    }
}
