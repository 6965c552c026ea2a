import ArgumentParser
import Foundation
import ICE
import TimeUnits

/// Prints probe results as text, JSON, a Nagios status line with perfdata or Prometheus text,
/// and writes the Prometheus text to `--metrics-file` when asked.
struct ProbeRenderer {
    let format: ProbeFormat
    let thresholds: RTTThresholds
    let context: CommandContext
    let metricsFile: String?

    /// A renderer writing to `context`'s output (and its error output for a metrics file that
    /// cannot be written), stamping Prometheus text with `context`'s clock.
    init(settings: ProbeSettings, context: CommandContext) {
        format = settings.format
        thresholds = settings.thresholds
        metricsFile = settings.metricsFile
        self.context = context
    }

    private var output: Output { context.output }

    /// Prints one probe.
    func render(_ report: ProbeReport) throws {
        let prometheus = try writeMetrics([report])
        let headline = "\(report.kind.rawValue.uppercased()) \(report.status) - \(Self.summary(report))"
        switch format {
        case .prometheus:
            output.write(prometheus)
        case .json:
            try output.json(ProbeJSON(report))
        case .nagios:
            output.line(Self.oneLine(headline) + " | " + perfdata(report, label: "rtt", withChecks: true))
        case .junit:
            output.write(Self.junit([report], suite: "callctl probe \(report.kind.rawValue) \(report.uri)"))
        case .text:
            output.line(headline)
            details(report)
        }
    }

    /// Prints the probes of `probe ice`.
    func render(_ suite: ProbeSuite) throws {
        let prometheus = try writeMetrics(suite.reports)
        let headline = "ICE \(suite.status) - \(suite.summary)"
        switch format {
        case .prometheus:
            output.write(prometheus)
        case .json:
            let summary = ProbeJSON(probe: "ice", uri: suite.reports.map(\.uri.description).joined(separator: ","),
                                    status: suite.status, rtt: suite.rtt, mappedAddress: suite.mappedAddress?.description,
                                    relayedAddress: suite.relayedAddress?.description, checks: suite.checks)
            try output.json(IceJSON(summary: summary, servers: suite.reports.map(ProbeJSON.init)))
        case .nagios:
            let perfdata = suite.reports.map { report in
                let uri = report.uri
                return self.perfdata(report, label: "\(report.kind.rawValue)_\(uri.host)_\(uri.port)_\(uri.transport.rawValue)_rtt",
                                     withChecks: false)
            }
            output.line(Self.oneLine(headline) + " | " + perfdata.joined(separator: " "))
        case .junit:
            output.write(Self.junit(suite.reports, suite: "callctl probe ice"))
        case .text:
            output.line(headline)
            for report in suite.reports {
                output.line()
                output.line("\(report.kind.rawValue.uppercased()) \(report.status) - \(Self.summary(report))")
                details(report)
            }
        }
    }

    /// One test case per check of each probe (`<kind> <uri>` its class): CRITICAL and UNKNOWN fail
    /// with the check's detail, WARNING passes with it in `<system-out>`.
    static func junit(_ reports: [ProbeReport], suite: String) -> String {
        JUnitReport(name: "callctl probe", suite: suite, cases: reports.flatMap { report in
            report.checks.map { check in
                let outcome: JUnitReport.Case.Outcome = switch check.status {
                case .ok: .passed(output: check.detail)
                case .warning: .passed(output: "WARNING: \(check.detail)")
                case .critical, .unknown: .failed(message: check.detail, type: "\(check.status)", detail: summary(report))
                }
                return JUnitReport.Case(classname: "\(report.kind.rawValue) \(report.uri)", name: check.name,
                                        seconds: check.duration / .seconds(1), outcome: outcome)
            }
        }).document
    }

    /// Renders the Prometheus text once and writes it to `--metrics-file`, if given, so the
    /// file and stdout agree; a file that cannot be written makes the run UNKNOWN (3).
    private func writeMetrics(_ reports: [ProbeReport]) throws -> String {
        let text = ProbePrometheus.render(reports, at: context.now())
        guard let metricsFile else { return text }
        do {
            try AtomicFile.replace(metricsFile, with: text)
            return text
        } catch {
            context.errorOutput.write("callctl probe: --metrics-file: \(error.message)\n")
            throw ExitCode(ProbeStatus.unknown.exitCode)
        }
    }

    /// What a probe found, or its first problem: `stun:h:3478 mapped address …, rtt 0.4 ms`.
    static func summary(_ report: ProbeReport) -> String {
        if let problem = report.firstProblem { return "\(report.uri) \(problem.name): \(problem.detail)" }
        let rtt = report.rtt.map(ProbeTiming.text) ?? "?"
        switch report.kind {
        case .stun:
            return "\(report.uri) mapped address \(report.mappedAddress?.description ?? "?"), rtt \(rtt)"
        case .turn:
            return "\(report.uri) relays through \(report.relayedAddress?.description ?? "?"), relay round trip \(rtt)"
        }
    }

    /// The addresses, round trip and checks as a table.
    private func details(_ report: ProbeReport) {
        if let mapped = report.mappedAddress { output.line("mapped address   \(mapped)") }
        if let relayed = report.relayedAddress { output.line("relayed address  \(relayed)") }
        if let rtt = report.rtt {
            output.line("rtt              \(ProbeTiming.text(rtt)) (\(report.kind == .turn ? "relay round trip" : "Binding transaction"))")
        }
        var table = TextTable("CHECK", "STATUS", "TIME", "DETAIL")
        for check in report.checks {
            table.add(check.name, check.status.description, ProbeTiming.text(check.duration), check.detail)
        }
        table.render().forEach(output.line)
    }

    /// `rtt=0.412ms;100;300;0` then, when asked, each check's time: `binding=0.412ms`.
    private func perfdata(_ report: ProbeReport, label: String, withChecks: Bool) -> String {
        func number(_ duration: Duration) -> String {
            PlainNumber.text(duration.roundedMilliseconds)
        }
        func value(_ duration: Duration?) -> String {
            duration.map { number($0) + "ms" } ?? "U"
        }
        let limits = [thresholds.warning, thresholds.critical].map { $0.map(number) ?? "" }
        var items = ["\(Self.label(label))=\(value(report.rtt));\(limits[0]);\(limits[1]);0"]
        if withChecks {
            items += report.checks.filter { $0.name != "rtt" }.map { "\(Self.label($0.name))=\(value($0.duration))" }
        }
        return items.joined(separator: " ")
    }

    /// A perfdata label: no `=`, quote, space or `|`.
    private static func label(_ text: String) -> String {
        String(text.map { "= '|".contains($0) ? "_" : $0 })
    }

    /// A status line: one line, no `|` (which starts perfdata).
    private static func oneLine(_ text: String) -> String {
        String(text.map { $0 == "|" ? "/" : $0.isNewline ? " " : $0 })
    }
}
