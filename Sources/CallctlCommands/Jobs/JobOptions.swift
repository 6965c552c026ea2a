import ArgumentParser
import Foundation
import Postgres

/// The flags both jobs share.
struct JobOptions: ParsableArguments {
    /// The largest `--batch-size` accepted: bigger batches hold locks longer for no gain.
    static let maximumBatchSize = 100_000

    @Flag(name: .long, help: "Report what would change and change nothing (no locks, no writes, no metrics, no pings).")
    var dryRun = false

    @Option(name: .long, help: ArgumentHelp(
        "Evaluate the rules as of this instant instead of the clock (ISO-8601 with Z or an offset).",
        valueName: "iso-8601"))
    var now: String?

    @Option(name: .long, help: ArgumentHelp("Rows claimed and changed per transaction.", valueName: "n"))
    var batchSize = 500

    @Option(name: .long, help: "Result format on stdout: text or json.")
    var format: OutputFormat = .text

    @Option(name: .long, help: ArgumentHelp(
        "After a run that finished, write Prometheus metrics to this file atomically (textfile collector); a failed run leaves it alone.",
        valueName: "path"))
    var metricsFile: String?

    @Option(name: .long, help: ArgumentHelp(
        "Healthchecks-style ping URL: URL/start before, URL on success, URL/fail on failure.", valueName: "url"))
    var pingURL: String?

    /// The parsed `--now`, nil when the clock is used.
    var instant: Date? { now.flatMap(PGTimestamp.parse) }

    func validate() throws {
        if let now, PGTimestamp.parse(now) == nil {
            throw ValidationError("--now must be an ISO-8601 instant with a zone, such as 2026-03-29T10:45:01Z or "
                + "2026-03-29T12:45:01+02:00; got '\(now)'")
        }
        guard (1...Self.maximumBatchSize).contains(batchSize) else {
            throw ValidationError("--batch-size must be between 1 and \(Self.maximumBatchSize); got \(batchSize)")
        }
        if dryRun, metricsFile != nil || pingURL != nil {
            throw ValidationError("--dry-run changes nothing, so it neither writes --metrics-file nor sends --ping-url; "
                + "drop those flags for a dry run")
        }
        if let metricsFile { try Self.validateMetricsPath(metricsFile) }
        if let pingURL { try HealthPing.validate(pingURL) }
    }

    private static func validateMetricsPath(_ path: String) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard !path.hasSuffix("/"), FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory),
              isDirectory.boolValue else {
            throw ValidationError("--metrics-file must name a file in an existing directory; got '\(path)'")
        }
    }
}
