import Foundation
import LocalServices
import Testing

/// The same hand-computed figures (see `KPIDefinitionTests`) in every format.
@Suite("callctl kpi: table, csv, prometheus and html", .serialized)
struct KPIFormatTests {
    static let byDay = KPIDefinitionTests.period + ["--by", "day"]

    @Test("table: aligned columns, percentages with one decimal, — for no data, a sparkline of calls per day")
    func table() async throws {
        let url = try KPISeed.database(KPISeed.clinic)
        let lines = await KPISeed.run(url, Self.byDay).standardOutput.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let header = try #require(lines.first { $0.hasPrefix("DAY") })
        let rows = lines.filter { $0.hasPrefix("2026-") || $0.hasPrefix("total") }
        #expect(rows.count == 4)
        let columns = ["REQUESTED", "CONNECTED", "SUCCESS", "TTC MEAN", "TTC P50", "TTC P95", "TIMEOUTS", "BUSY", "DURATION", "NO-SHOWS",
                       "RELAYED", "DROPPED", "CAM/MIC /100", "POOR NET", "RECORDED", "PURGED"]
        for name in columns {
            let start = try #require(header.range(of: name)).lowerBound.utf16Offset(in: header)
            for row in rows {
                let padded = Array(row.unicodeScalars)
                #expect(start < padded.count && padded[start - 2] == " " && padded[start] != " ", "\(name) misaligned in: \(row)")
            }
        }
        // 03-01: 5 requested, 2 connected, 100.0%, 1050/1050/1275 ms, 60.0%, 1/6 = 16.7%, 1500 s = 25m 0s, 1/3 = 33.3%;
        // relayed 1 of 2 calls with an ice report = 50.0%, dropped 1 of 2 connected = 50.0%, 1 camera error × 100 / 5 = 20,
        // poor network 0 of 1 = 0.0%; recordings made R1 R4, purged R3; 03-03 only R2's deletion.
        #expect(words(rows[0]) == ["2026-03-01", "5", "2", "100.0%", "1050", "ms", "1050", "ms", "1275", "ms", "60.0%", "16.7%", "25m", "0s",
                                   "33.3%", "50.0%", "50.0%", "20", "0.0%", "2", "1"])
        #expect(words(rows[2]) == ["2026-03-03", "0", "0", "—", "—", "—", "—", "—", "—", "—", "—", "—", "—", "—", "—", "0", "1"])
        // Totals: 3/4 = 75.0%, 1700/1300/2830 ms, 3/8 = 37.5%, 3/11 = 27.3%, 1200 s = 20m 0s, 2/5 = 40.0%; relayed 2/3 = 66.7%,
        // dropped 1/3 = 33.3%, 2 × 100 / 8 = 25, poor 1/2 = 50.0%; 3 recordings made, 2 purged.
        #expect(words(rows[3]) == ["total", "8", "3", "75.0%", "1700", "ms", "1300", "ms", "2830", "ms", "37.5%", "27.3%", "20m", "0s", "40.0%",
                                   "66.7%", "33.3%", "25", "50.0%", "3", "2"])
        #expect(lines.contains("calls by end reason: hangup 2, declined 1, cancelled 0, timeout_no_answer 3, connect_timeout 1, "
            + "heartbeat_lost 1, max_duration 0, window_closed 0, operator 0, error 0"), "\(lines)")
        // Calls per day 5, 3, 0: 5 is the top block, 3/5·7 = 4.2 → ▅, 0 the lowest.
        #expect(lines.contains("calls per day  █▅▁  2026-03-01 … 2026-03-03, max 5"))
    }

    @Test("csv: RFC 4180 rows per day and a total row; parsed back, the values are the hand-computed ones")
    func csv() async throws {
        let url = try KPISeed.database(KPISeed.clinic)
        let text = await KPISeed.run(url, Self.byDay + ["--format", "csv"]).standardOutput
        #expect(text.hasSuffix("\r\n") && !text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        let records = CSVReader.records(text)
        #expect(records.first == ["key", "calls_requested", "calls_connected", "connection_success_rate", "time_to_connect_ms_mean",
                                  "time_to_connect_ms_p50", "time_to_connect_ms_p95", "timeout_rate", "busy_rate",
                                  "mean_duration_s", "no_show_rate", "relayed_share", "drop_rate", "permission_failures_per_100",
                                  "poor_network_share", "ended_hangup", "ended_declined", "ended_cancelled", "ended_timeout_no_answer",
                                  "ended_connect_timeout", "ended_heartbeat_lost", "ended_max_duration", "ended_window_closed",
                                  "ended_operator", "ended_error", "recordings_made", "recordings_purged"])
        #expect(records.map { $0.first ?? "" } == ["key", "2026-03-01", "2026-03-02", "2026-03-03", "total"])
        let total = try #require(records.last)
        #expect(total.dropFirst().map { Double($0) } == [8, 3, 0.75, 1700, 1300, 2830, 0.375, 3.0 / 11.0, 1200, 0.4,
                                                          2.0 / 3.0, 1.0 / 3.0, 25, 0.5, 2, 1, 0, 3, 1, 1, 0, 0, 0, 0, 3, 2])
        #expect(records[3] == ["2026-03-03", "0", "0", "", "", "", "", "", "", "", "", "", "", "", ""] + Array(repeating: "0", count: 10)
                + ["0", "1"])
        #expect(records[2].dropFirst().map { Double($0) } == [3, 1, 0.5, 3000, 3000, 3000, 0, 0.4, 600, 0.5,
                                                              1, 0, 100.0 / 3.0, 1, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0])
    }

    @Test("json: the failure figures — relayed, dropped, camera/mic per 100 requests, poor network, every end reason")
    func jsonFailures() async throws {
        let url = try KPISeed.database(KPISeed.clinic)
        let report = try await KPISeed.json(url, Self.byDay)
        let totals = try #require(report["totals"] as? [String: Any])
        #expect((totals["relayed_share"] as? NSNumber)?.doubleValue == 2.0 / 3.0)
        #expect((totals["drop_rate"] as? NSNumber)?.doubleValue == 1.0 / 3.0)
        #expect((totals["permission_failures_per_100"] as? NSNumber)?.doubleValue == 25)
        #expect((totals["poor_network_share"] as? NSNumber)?.doubleValue == 0.5)
        #expect(totals["end_reasons"] as? [String: Int] == ["hangup": 2, "declined": 1, "cancelled": 0, "timeout_no_answer": 3,
                                                            "connect_timeout": 1, "heartbeat_lost": 1, "max_duration": 0,
                                                            "window_closed": 0, "operator": 0, "error": 0])
        let empty = try #require((report["groups"] as? [[String: Any]])?.last)
        #expect(empty["relayed_share"] is NSNull && empty["permission_failures_per_100"] is NSNull, "\(empty)")
    }

    @Test("prometheus: HELP and TYPE lines, gauges with group and doctor labels, base units, no sample for no data")
    func prometheus() async throws {
        let url = try KPISeed.database(KPISeed.clinic)
        let text = await KPISeed.run(url, KPIDefinitionTests.period + ["--by", "doctor", "--format", "prometheus"]).standardOutput
        let lines = Set(text.split(separator: "\n").map(String.init))
        for line in [
            "# TYPE callctl_kpi_calls_requested gauge",
            "callctl_kpi_calls_requested{group=\"total\"} 8",
            "callctl_kpi_calls_connected{group=\"total\"} 3",
            "callctl_kpi_connection_success_ratio{group=\"total\"} 0.75",
            "callctl_kpi_time_to_connect_seconds{group=\"total\",stat=\"mean\"} 1.7",
            "callctl_kpi_time_to_connect_seconds{group=\"total\",stat=\"p95\"} 2.83",
            "callctl_kpi_timeout_ratio{group=\"total\"} 0.375",
            "callctl_kpi_busy_ratio{group=\"total\"} \(3.0 / 11.0)",
            "callctl_kpi_mean_duration_seconds{group=\"total\"} 1200",
            "callctl_kpi_no_show_ratio{group=\"total\"} 0.4",
            "callctl_kpi_calls_requested{group=\"doctor\",doctor=\"1\"} 3",
            "callctl_kpi_busy_ratio{group=\"doctor\",doctor=\"3\"} 0.4",
            "callctl_kpi_period_start_timestamp_seconds 1772323200",
            "callctl_kpi_relayed_ratio{group=\"total\"} \(2.0 / 3.0)",
            "callctl_kpi_dropped_ratio{group=\"total\"} \(1.0 / 3.0)",
            "callctl_kpi_permission_failures_per_100_requests{group=\"total\"} 25",
            "callctl_kpi_poor_network_ratio{group=\"total\"} 0.5",
            "callctl_kpi_calls_ended{group=\"total\",reason=\"heartbeat_lost\"} 1",
            "callctl_kpi_calls_ended{group=\"total\",reason=\"timeout_no_answer\"} 3",
            "# TYPE callctl_kpi_recordings_made gauge",
            "callctl_kpi_recordings_made{group=\"total\"} 3",
            "callctl_kpi_recordings_purged{group=\"total\"} 2",
            "callctl_kpi_recordings_made{group=\"doctor\",doctor=\"2\"} 1",
            "callctl_kpi_recordings_purged{group=\"doctor\",doctor=\"2\"} 0",
            "callctl_kpi_recordings_purged{group=\"doctor\",doctor=\"3\"} 1",
        ] {
            #expect(lines.contains(line), "missing: \(line)")
        }
        #expect(text.split(separator: "\n").filter { $0.hasPrefix("# HELP callctl_kpi_") }.count == 17)
        let filtered = await KPISeed.run(url, ["--from", "2025-01-01", "--to", "2025-01-02", "--tenant", "2", "--format", "prometheus"]).standardOutput
        #expect(filtered.contains("callctl_kpi_calls_requested{group=\"total\",tenant=\"2\"} 0"))
        #expect(!filtered.contains("callctl_kpi_connection_success_ratio{"))
    }

    @Test("html: one well-formed self-contained page, one SVG per KPI, no scripts or external assets")
    func html() async throws {
        let url = try KPISeed.database(KPISeed.clinic)
        let page = await KPISeed.run(url, KPIDefinitionTests.period + ["--format", "html"]).standardOutput
        #expect(page.components(separatedBy: "<svg").count - 1 == 14)
        #expect(!page.lowercased().contains("<script"))
        #expect(!page.lowercased().contains("http"))
        #expect(!page.contains("src=") && !page.contains("<link"))
        for text in ["75.0%", "37.5%", "27.3%", "40.0%", "20m 0s", "mean 1700 ms, p50 1300 ms, p95 2830 ms", "66.7%", "33.3%",
                     "<td>25</td>", "50.0%", "Calls by end reason", "<th>heartbeat_lost</th><td>1</td>",
                     "<th>Recordings made</th><td>3</td>", "<th>Recordings deleted</th><td>2</td>"] {
            #expect(page.contains(text), "missing \(text)")
        }
        let check = try withScratchDirectory("kpi-html") { directory in
            let file = directory.appendingPathComponent("kpi.html")
            try page.write(to: file, atomically: true, encoding: .utf8)
            return try CommandRunner.run(["python3", "-c", Self.xmlCheck, file.path])
        }
        #expect(check.status == 0, "\(check.output)")
        // The page charts per day (no --by given): 3 bars in each of the 4 count charts (calls 5, 3, 0 and 2, 1, 0;
        // recordings made 2, 1, 0 and purged 1, 0, 1) and 2 in each of the other 10 (03-03 has no data, so no bar):
        // 4 × 3 + 10 × 2 = 32 bars, each with a tooltip.
        #expect(check.standardOutput == "svg=14 rect=32 title=32 script=0\n")
    }

    /// Parses the page as XML (well-formed or it raises) and counts elements.
    private static let xmlCheck = """
        import sys, xml.etree.ElementTree as ET
        root = ET.parse(sys.argv[1]).getroot()
        count = lambda tag: sum(1 for element in root.iter() if element.tag == tag)
        print(f"svg={count('svg')} rect={count('rect')} title={count('title') - 1} script={count('script')}")
        """

    private func words(_ line: String) -> [String] {
        line.split(separator: " ").map(String.init)
    }
}

/// A small RFC 4180 reader for the tests: quoted fields, doubled quotes, CRLF records.
enum CSVReader {
    static func records(_ text: String) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var quoted = false
        var characters = Array(text)[...]
        while let character = characters.popFirst() {
            if quoted {
                if character == "\"" {
                    if characters.first == "\"" { field.append("\""); characters.removeFirst() } else { quoted = false }
                } else {
                    field.append(character)
                }
            } else if character == "\"" {
                quoted = true
            } else if character == "," {
                record.append(field); field = ""
            } else if character == "\r\n" || character == "\n" {
                record.append(field); records.append(record); record = []; field = ""
            } else {
                field.append(character)
            }
        }
        return records
    }
}
