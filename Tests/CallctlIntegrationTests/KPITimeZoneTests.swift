import Foundation
import Testing

/// Local days in `--tz`: period bounds and `--by day` follow the zone, including DST days.
@Suite("callctl kpi: time zones", .serialized)
struct KPITimeZoneTests {
    /// Sessions, busy events and appointments at instants chosen around Berlin's midnights:
    ///
    ///     instant (UTC)      Berlin local                 what
    ///     03-01 12:00        03-01 13:00 CET              session, appointment (scheduled)
    ///     03-01 23:30        03-02 00:30 CET              session, busy event, appointment (no_show)
    ///     03-28 12:00        03-28 13:00 CET              session
    ///     03-28 23:30        03-29 00:30 CET              session
    ///     03-29 21:30        03-29 23:30 CEST             session (the 29th has 23 hours: 01:00Z clocks go 02→03)
    ///     03-29 22:30        03-30 00:30 CEST             session
    static let script = KPISeed.people + """
        INSERT INTO appointments (id, tenant_id, doctor_id, patient_id, scheduled_at, status) VALUES
            (1, 1, 1, 1, '2026-03-01 12:00Z', 'scheduled'), (2, 1, 1, 1, '2026-03-01 23:30Z', 'no_show');
        INSERT INTO call_sessions (id, appointment_id, state, end_reason, caller_user_id, callee_user_id, requested_at) VALUES
            ('00000000-0000-0000-0000-000000000001', 1, 'ended', 'hangup', 4, 1, '2026-03-01 12:00Z'),
            ('00000000-0000-0000-0000-000000000002', 2, 'ended', 'hangup', 4, 1, '2026-03-01 23:30Z'),
            ('00000000-0000-0000-0000-000000000003', 1, 'ended', 'hangup', 4, 1, '2026-03-28 12:00Z'),
            ('00000000-0000-0000-0000-000000000004', 1, 'ended', 'hangup', 4, 1, '2026-03-28 23:30Z'),
            ('00000000-0000-0000-0000-000000000005', 1, 'ended', 'hangup', 4, 1, '2026-03-29 21:30Z'),
            ('00000000-0000-0000-0000-000000000006', 1, 'ended', 'hangup', 4, 1, '2026-03-29 22:30Z');
        INSERT INTO appointment_call_events (appointment_id, type, user_id, at) VALUES (2, 'busy', 4, '2026-03-01 23:30Z');
        """

    private func requested(_ report: [String: Any]) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: kpiGroups(report).map { ($0.key, $0.object["calls_requested"] as? Int ?? -1) })
    }

    @Test("a session at 23:30 UTC counts on the next local day in Europe/Berlin, with its busy event and appointment")
    func nextLocalDay() async throws {
        let url = try KPISeed.database(Self.script)
        let utc = try await KPISeed.json(url, ["--from", "2026-03-01", "--to", "2026-03-03", "--by", "day"])
        // UTC: both sessions on 03-01; busy 1/(2 + 1); appointments 1 and 2 held, 2 no-show → 1/2.
        #expect(requested(utc) == ["2026-03-01": 2, "2026-03-02": 0])
        let berlin = try await KPISeed.json(url, ["--from", "2026-03-01", "--to", "2026-03-03", "--by", "day", "--tz", "Europe/Berlin"])
        #expect(requested(berlin) == ["2026-03-01": 1, "2026-03-02": 1])
        let day2 = try #require(kpiGroups(berlin).last?.object)
        // Berlin 03-02: the 23:30Z session, its busy event → 1/(1 + 1); appointment 2 (no_show) → 1/1.
        #expect(day2["busy_rate"] as? Double == 0.5)
        #expect(day2["no_show_rate"] as? Double == 1)
        #expect(kpiGroups(berlin).first?.object["no_show_rate"] as? Double == 0)
        #expect(berlin["from"] as? String == "2026-03-01T00:00:00+01:00")
        #expect(berlin["tz"] as? String == "Europe/Berlin")
    }

    @Test("period bounds are local midnights: [03-02, 03-03) in Berlin is [03-01 23:00Z, 03-02 23:00Z)")
    func localBounds() async throws {
        let url = try KPISeed.database(Self.script)
        let berlin = try await KPISeed.json(url, ["--from", "2026-03-02", "--to", "2026-03-03", "--tz", "Europe/Berlin"])
        #expect((berlin["totals"] as? [String: Any])?["calls_requested"] as? Int == 1)
        let utc = try await KPISeed.json(url, ["--from", "2026-03-02", "--to", "2026-03-03"])
        #expect((utc["totals"] as? [String: Any])?["calls_requested"] as? Int == 0)
        let tokyo = try await KPISeed.json(url, ["--from", "2026-03-02", "--to", "2026-03-03", "--tz", "Asia/Tokyo"])
        // Tokyo 03-02 is [03-01 15:00Z, 03-02 15:00Z): only the 23:30Z session.
        #expect((tokyo["totals"] as? [String: Any])?["calls_requested"] as? Int == 1)
        #expect(tokyo["to"] as? String == "2026-03-03T00:00:00+09:00")
    }

    @Test("the spring-forward day is 23 hours long and every session lands on its own local day")
    func daylightSavingDay() async throws {
        let url = try KPISeed.database(Self.script)
        let berlin = try await KPISeed.json(url, ["--from", "2026-03-28", "--to", "2026-03-31", "--by", "day", "--tz", "Europe/Berlin"])
        // 28th: 12:00Z; 29th: 23:30Z (00:30 CET) and 21:30Z (23:30 CEST); 30th: 22:30Z (00:30 CEST).
        #expect(requested(berlin) == ["2026-03-28": 1, "2026-03-29": 2, "2026-03-30": 1])
        #expect(berlin["from"] as? String == "2026-03-28T00:00:00+01:00")
        #expect(berlin["to"] as? String == "2026-03-31T00:00:00+02:00")
        let utc = try await KPISeed.json(url, ["--from", "2026-03-28", "--to", "2026-03-31", "--by", "day"])
        #expect(requested(utc) == ["2026-03-28": 2, "2026-03-29": 2, "2026-03-30": 0])
        let sparkline = await KPISeed.run(url, ["--from", "2026-03-28", "--to", "2026-03-31", "--by", "day", "--tz", "Europe/Berlin"])
        #expect(sparkline.standardOutput.contains("calls per day  ▅█▅  2026-03-28 … 2026-03-30, max 2"))
    }
}
