import ArgumentParser
import CallctlConfig
import Foundation
import ICE

/// Result formats of the probes.
enum ProbeFormat: String, CaseIterable, Sendable {
    case text, json, nagios, prometheus, junit
}

/// What the shared probe flags amount to, once checked.
struct ProbeSettings: Sendable {
    let configuration: ProbeConfiguration
    let thresholds: RTTThresholds
    let format: ProbeFormat
    /// Where to write the Prometheus text atomically as well, if anywhere.
    let metricsFile: String?
    /// The process environment over `--env-file` (`CALLCTL_ICE_SERVERS`, `CALLCTL_TURN_SECRET`).
    let environment: Environment
}

/// Flags every probe takes. Values are checked here rather than by ArgumentParser, so a
/// bad value exits 3 (UNKNOWN) like every other probe usage error.
struct ProbeOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Time limit for the whole probe, in seconds.", valueName: "seconds"))
    var timeout: String = "5"

    @Option(name: .customLong("warn-rtt"), help: ArgumentHelp("WARNING when the round-trip time is above this.", valueName: "ms"))
    var warnRTT: String?

    @Option(name: .customLong("crit-rtt"), help: ArgumentHelp("CRITICAL when the round-trip time is above this.", valueName: "ms"))
    var critRTT: String?

    @Option(help: ArgumentHelp("Result format: text, json, nagios (one status line with perfdata), prometheus or junit (one test case per check, for CI).", valueName: "format"))
    var format: String = "text"

    @Option(name: .customLong("metrics-file"), help: ArgumentHelp(
        "Also write the result as Prometheus text to this file, atomically (node_exporter textfile collector).",
        valueName: "path"))
    var metricsFile: String?

    @Option(name: .customLong("ca-file"), help: ArgumentHelp(
        "Also trust the PEM certificates in this file for stuns:/turns: (a private CA or a self-signed server).",
        valueName: "path"))
    var caFile: String?

    @Flag(help: "Do not verify the TLS certificate of stuns:/turns: servers (still encrypted, but unproven).")
    var insecure = false

    @OptionGroup var envFile: EnvFileOptions

    /// The checked settings, with the `process` variables layered over `--env-file`.
    func settings(process: [String: String]) throws(ProbeUsageError) -> ProbeSettings {
        let environment: Environment
        do {
            environment = try envFile.environment(process)
        } catch {
            throw ProbeUsageError(error.description)
        }
        guard let format = ProbeFormat(rawValue: format) else {
            throw ProbeUsageError("--format must be text, json, nagios, prometheus or junit; got '\(self.format)'")
        }
        let seconds = try ProbeUsage.number(timeout, flag: "--timeout", unit: "seconds", range: 0.1...60)
        let warning = try warnRTT.map { text throws(ProbeUsageError) in
            try ProbeUsage.number(text, flag: "--warn-rtt", unit: "milliseconds", range: 0...60_000)
        }
        let critical = try critRTT.map { text throws(ProbeUsageError) in
            try ProbeUsage.number(text, flag: "--crit-rtt", unit: "milliseconds", range: 0...60_000)
        }
        if let warning, let critical, warning > critical {
            throw ProbeUsageError("--warn-rtt (\(warnRTT ?? "")) must not be above --crit-rtt (\(critRTT ?? ""))")
        }
        if insecure, caFile != nil {
            throw ProbeUsageError("--insecure skips verification, so --ca-file would be ignored; give one of them")
        }
        let trust: ProbeConfiguration.TLSTrust
        if let caFile {
            guard FileManager.default.isReadableFile(atPath: caFile) else {
                throw ProbeUsageError("--ca-file \(caFile) is not a readable file")
            }
            trust = .additionalCertificates(path: caFile)
        } else {
            trust = insecure ? .insecure : .system
        }
        return ProbeSettings(
            configuration: ProbeConfiguration(timeout: .milliseconds(Int64(seconds * 1000)), tlsTrust: trust),
            thresholds: RTTThresholds(warning: warning.map { .microseconds(Int64($0 * 1000)) },
                                      critical: critical.map { .microseconds(Int64($0 * 1000)) }),
            format: format, metricsFile: metricsFile, environment: environment)
    }
}
