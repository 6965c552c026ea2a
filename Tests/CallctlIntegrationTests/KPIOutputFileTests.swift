import CallDomain
import Foundation
import Testing

/// `--output` and `--metrics-file` replace files atomically; bad flags are usage errors (64).
@Suite("callctl kpi: output files and usage errors", .serialized)
struct KPIOutputFileTests {
    private func inode(_ path: String) throws -> UInt64 {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? UInt64)
    }

    @Test("--output and --metrics-file write whole files by rename: stdout stays empty, no temporary file is left")
    func writesFiles() async throws {
        let url = try KPISeed.database(KPISeed.clinic)
        try await withScratchDirectory("kpi-out") { directory in
            let report = directory.appendingPathComponent("report.json").path
            let metrics = directory.appendingPathComponent("callctl_kpi.prom").path
            try "old report".write(toFile: report, atomically: false, encoding: .utf8)
            try FileManager.default.linkItem(atPath: report, toPath: directory.appendingPathComponent("reader-holds-old").path)
            let before = try inode(report)
            let outcome = await KPISeed.run(url, KPIDefinitionTests.period + ["--format", "json", "--output", report, "--metrics-file", metrics])
            #expect(outcome.standardOutput.isEmpty)
            let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report))) as? [String: Any]
            KPIDefinitionTests.totals.check(try #require(object, "--output is a JSON object")["totals"], "--output totals")
            #expect(try String(contentsOfFile: metrics, encoding: .utf8).contains("callctl_kpi_calls_requested{group=\"total\"} 8\n"))
            // Replaced by rename, not rewritten in place: a reader holding the old file still sees it whole.
            #expect(try inode(report) != before)
            #expect(try String(contentsOfFile: directory.appendingPathComponent("reader-holds-old").path, encoding: .utf8) == "old report")
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["callctl_kpi.prom", "reader-holds-old", "report.json"])
            let mode = try #require(try FileManager.default.attributesOfItem(atPath: metrics)[.posixPermissions] as? Int)
            #expect(mode == 0o644)
        }
    }

    @Test("html and csv go to --output too; a missing directory fails with exit 78 (the path is wrong) and leaves nothing")
    func otherFormatsAndFailure() async throws {
        let url = try KPISeed.database(KPISeed.clinic)
        try await withScratchDirectory("kpi-out") { directory async throws in
            let page = directory.appendingPathComponent("march.html").path
            _ = await KPISeed.run(url, KPIDefinitionTests.period + ["--format", "html", "--output", page])
            #expect(try String(contentsOfFile: page, encoding: .utf8).hasPrefix("<!DOCTYPE html>"))
            let missing = directory.appendingPathComponent("nowhere/report.csv").path
            let failed = await InProcess.run(["kpi"] + KPIDefinitionTests.period + ["--format", "csv", "--output", missing, "--database-url", url])
            #expect(failed.status == 78)
            #expect(failed.standardError.contains("nowhere"))
            #expect(!FileManager.default.fileExists(atPath: missing))
        }
    }

    @Test("bad flags are usage errors (64) with a message naming the problem, before any database work", arguments: [
        (["--from", "2026-03-01", "--to", "2026-03-02", "--tz", "Mars/Olympus"], "unknown time zone 'Mars/Olympus'"),
        (["--from", "2026-03-01", "--to", "2026-03-02", "--tz", "GMT+2"], "unknown time zone 'GMT+2'"),
        (["--from", "2026-03-02", "--to", "2026-03-02"], "--from 2026-03-02 must be before --to 2026-03-02"),
        (["--from", "2026-03-05", "--to", "2026-03-01"], "must be before --to"),
        (["--from", "2026-02-30", "--to", "2026-03-02"], "--from must be a date YYYY-MM-DD; got '2026-02-30'"),
        (["--from", "2026-03-01", "--to", "tomorrow"], "--to must be a date YYYY-MM-DD"),
        (["--from", "2026-03-01", "--to", "2026-03-02", "--by", "week"], "--by"),
        (["--from", "2026-03-01", "--to", "2026-03-02", "--format", "xml"], "--format"),
        (["--from", "2026-03-01", "--to", "2026-03-02", "--tenant", "0"], "--tenant must be a tenant id"),
        (["--to", "2026-03-02"], "--from"),
    ])
    func usageErrors(arguments: [String], message: String) async throws {
        let outcome = await InProcess.run(["kpi"] + arguments + ["--database-url", "host=/nowhere"])
        #expect(outcome.status == 64, "\(outcome.output)")
        #expect(outcome.standardError.contains(message), "\(outcome.standardError)")
    }

    @Test("--help writes out the definitions and examples")
    func help() async throws {
        let outcome = await InProcess.run(["kpi", "--help"])
        #expect(outcome.status == 0)
        let help = outcome.standardOutput.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for kpi in KPI.allCases {
            #expect(help.contains("\(kpi.rawValue) \(kpi.definition)."), "help lacks the definition of \(kpi.rawValue)")
        }
        for text in ["calls_connected / sessions of the period that were accepted", "busy audit events (by their time)",
                     "appointments completed whose scheduled_at is in the period", "--metrics-file", "Examples:"] {
            #expect(help.contains(text), "help lacks \(text)")
        }
    }
}
