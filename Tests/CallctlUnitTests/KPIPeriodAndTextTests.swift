import CallDomain
@testable import CallctlCommands
import Foundation
import Testing

@Suite("KPI periods and text helpers")
struct KPIPeriodAndTextTests {
    private func day(_ text: String) -> CalendarDay { CalendarDay(text)! }

    @Test("a Berlin period spans local midnights; the spring-forward day has 23 hours, the fall-back day 25")
    func berlinPeriod() throws {
        let spring = try KPIPeriod(from: day("2026-03-29"), to: day("2026-03-30"), zoneName: "Europe/Berlin")
        #expect(iso(spring.start) == "2026-03-28T23:00:00Z")
        #expect(spring.end.timeIntervalSince(spring.start) == 23 * 3600)
        let autumn = try KPIPeriod(from: day("2026-10-25"), to: day("2026-10-26"), zoneName: "Europe/Berlin")
        #expect(autumn.end.timeIntervalSince(autumn.start) == 25 * 3600)
        #expect(autumn.localText(autumn.start) == "2026-10-25T00:00:00+02:00")
        #expect(autumn.localText(autumn.end) == "2026-10-26T00:00:00+01:00")
        let month = try KPIPeriod(from: day("2026-02-27"), to: day("2026-03-02"), zoneName: "UTC")
        #expect(month.days.map(\.description) == ["2026-02-27", "2026-02-28", "2026-03-01"])
        #expect(month.localText(month.start) == "2026-02-27T00:00:00Z")
    }

    @Test("unknown or POSIX-offset zones and empty periods are refused with a sentence")
    func refusals() {
        #expect(throws: KPIPeriodError.unknownZone("Mars/Olympus")) {
            try KPIPeriod(from: day("2026-03-01"), to: day("2026-03-02"), zoneName: "Mars/Olympus")
        }
        #expect(KPIPeriod.timeZone(named: "GMT+2") == nil)
        #expect(KPIPeriod.timeZone(named: "europe/berlin") == nil)
        #expect(KPIPeriod.timeZone(named: "Etc/UTC") != nil)
        #expect(throws: KPIPeriodError.emptyPeriod(from: day("2026-03-02"), to: day("2026-03-02"))) {
            try KPIPeriod(from: day("2026-03-02"), to: day("2026-03-02"), zoneName: "UTC")
        }
        #expect(KPIPeriodError.unknownZone("X").description.contains("IANA"))
    }

    @Test("a period is at most 3,660 days; a longer one is refused with the limit and a way out")
    func periodLimit() throws {
        let longest = try KPIPeriod(from: day("2020-01-01"), to: day("2030-01-08"), zoneName: "Europe/Berlin")
        #expect(longest.days.count == KPIPeriod.maximumDays)
        #expect(KPIPeriod.maximumDays == 3_660)
        #expect(throws: KPIPeriodError.periodTooLong(from: day("2020-01-01"), to: day("2030-01-09"), days: 3_661)) {
            try KPIPeriod(from: day("2020-01-01"), to: day("2030-01-09"), zoneName: "Europe/Berlin")
        }
        let widest = #expect(throws: KPIPeriodError.self) {
            try KPIPeriod(from: day("0001-01-01"), to: day("9999-12-31"), zoneName: "UTC")
        }
        if case .periodTooLong(_, _, let days)? = widest {
            #expect(days > 3_600_000)
        } else {
            Issue.record("0001-01-01 to 9999-12-31 was not refused as too long: \(String(describing: widest))")
        }
        let message = KPIPeriodError.periodTooLong(from: day("2020-01-01"), to: day("2030-01-09"), days: 3_661).description
        #expect(message.contains("3661 days"))
        #expect(message.contains("at most 3660 days"))
        #expect(message.contains("split the period"))
    }

    @Test("CSV fields are quoted only when RFC 4180 needs it, quotes doubled")
    func csvFields() {
        #expect(KPICSVFormat.field("2026-03-01") == "2026-03-01")
        #expect(KPICSVFormat.field("a,b") == "\"a,b\"")
        #expect(KPICSVFormat.field("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(KPICSVFormat.field("two\r\nlines") == "\"two\r\nlines\"")
    }

    @Test("HTML text is escaped; sparklines scale to the largest value; numbers print plainly")
    func textHelpers() {
        #expect(HTMLText.escape("<a href=\"x\">O'Brien & co</a>") == "&lt;a href=&quot;x&quot;&gt;O&#39;Brien &amp; co&lt;/a&gt;")
        #expect(Sparkline.render([0, 1, 2, 4, 8]) == "▁▂▃▅█")
        #expect(Sparkline.render([0, 0]) == "▁▁")
        #expect(Sparkline.render([1, 1000]) == "▂█")
        #expect(PlainNumber.text(1200) == "1200")
        #expect(PlainNumber.text(0.375) == "0.375")
        #expect(KPIText.duration(1530.4) == "25m 30s")
        #expect(KPIText.duration(45) == "45s")
        #expect(KPIText.milliseconds(nil) == "—")
    }

    private func iso(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}

@Suite("KPI bar chart labels")
struct SVGBarChartLabelTests {
    @Test("the first label starts at its slot, the last ends at the chart's right edge: neither is clipped")
    func edges() {
        let bars = (1...31).map { (label: "2026-03-\($0 < 10 ? "0" : "")\($0)", value: Optional(Double($0))) }
        let markup = SVGBarChart(bars: bars, format: { "\($0 ?? 0)" }, caption: "calls").markup
        #expect(markup.contains("<text x=\"64\" y=\"192\" text-anchor=\"start\">2026-03-01</text>"), "\(markup.suffix(600))")
        #expect(markup.contains("<text x=\"712\" y=\"192\" text-anchor=\"end\">2026-03-31</text>"), "\(markup.suffix(600))")
        #expect(markup.contains("text-anchor=\"middle\">2026-03-16</text>"))
    }
}
