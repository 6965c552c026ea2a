import Foundation
import Testing

/// Every KPI of docs/design.md on the seeded clinic (see `KPISeed`), computed by hand.
@Suite("callctl kpi: definitions, groupings and filters", .serialized)
struct KPIDefinitionTests {
    static let period = ["--from", "2026-03-01", "--to", "2026-03-04"]

    /// Totals over [03-01, 03-04):
    /// - requested: S1 S2 S3 S4 S5 S6 S7 S10 = 8 (S8 is before, S9 at `to` is excluded)
    /// - connected: S1 S3 S5 = 3; accepted: S1 S3 S5 S6 = 4 → success 3/4 = 0.75
    /// - ttc: 800, 1300, 3000 ms → mean 5100/3 = 1700; p50 = 1300;
    ///   p95: rank 0.95·2 = 1.9 → 1300 + 0.9·(3000 − 1300) = 2830
    /// - timeouts: S2 S4 S10 = 3 → 3/8 = 0.375
    /// - busy: 3 events in the period → 3/(8 + 3) = 3/11
    /// - duration: completed A1 1200, A2 1800, A5 600 → 3600/3 = 1200 s (A8 is before)
    /// - no-show: A1–A7 less cancelled A4 and rescheduled A7 = 5 held; A3, A6 no-show → 2/5 = 0.4
    /// - recordings made: R1 R2 R4 = 3 (R3 before, R5 after); purged: R3 R2 = 2 (R4 at `to` is excluded)
    static let totals = KPIExpectation(requested: 8, connected: 3, success: 0.75, ttc: (1700, 1300, 2830),
                                       timeout: 0.375, busy: 3.0 / 11.0, duration: 1200, noShow: 0.4,
                                       recordingsMade: 3, recordingsPurged: 2)

    @Test("totals: every KPI matches the hand computation; without --by there are no groups")
    func totalsOnly() async throws {
        let url = try KPISeed.database(KPISeed.clinic)
        let report = try await KPISeed.json(url, Self.period)
        Self.totals.check(report["totals"], "totals")
        #expect((report["groups"] as? [Any])?.isEmpty == true)
        #expect(report["by"] is NSNull)
        #expect(report["tz"] as? String == "UTC")
        #expect(report["from"] as? String == "2026-03-01T00:00:00Z")
        #expect(report["to"] as? String == "2026-03-04T00:00:00Z")
    }

    /// By day (UTC):
    /// - 03-01: S1 S2 S3 S4 S10 = 5; accepted S1 S3, both connected → 2/2 = 1; ttc 800, 1300 →
    ///   mean 1050, p50 1050, p95 800 + 0.95·500 = 1275; timeouts S2 S4 S10 → 3/5 = 0.6;
    ///   busy A1 09:01 → 1/(5 + 1); duration A1 1200, A2 1800 → 1500; held A1 A2 A3 (A4 cancelled),
    ///   no-show A3 → 1/3; recordings made R1 R4, purged R3
    /// - 03-02: S5 S6 S7 = 3; accepted S5 S6, connected S5 → 1/2; ttc 3000; no timeouts → 0/3 = 0;
    ///   busy A5, A3 (a day after its appointment) → 2/(3 + 2) = 0.4; duration A5 600;
    ///   held A5 A6 (A7 rescheduled), no-show A6 → 1/2; recording made R2
    /// - 03-03: nothing but R2's deletion: zero counts but recordings_purged 1, every rate null
    @Test("--by day lists every day of the period, the empty one with zero counts and null rates")
    func byDay() async throws {
        let url = try KPISeed.database(KPISeed.clinic)
        let report = try await KPISeed.json(url, Self.period + ["--by", "day"])
        let groups = kpiGroups(report)
        #expect(groups.map(\.key) == ["2026-03-01", "2026-03-02", "2026-03-03"])
        #expect(report["by"] as? String == "day")
        KPIExpectation(requested: 5, connected: 2, success: 1, ttc: (1050, 1050, 1275), timeout: 0.6, busy: 1.0 / 6.0,
                       duration: 1500, noShow: 1.0 / 3.0, recordingsMade: 2, recordingsPurged: 1).check(groups.first?.object, "03-01")
        KPIExpectation(requested: 3, connected: 1, success: 0.5, ttc: (3000, 3000, 3000), timeout: 0, busy: 0.4,
                       duration: 600, noShow: 0.5, recordingsMade: 1).check(groups.dropFirst().first?.object, "03-02")
        var purgedOnly = KPIExpectation.empty
        purgedOnly.recordingsPurged = 1
        purgedOnly.check(groups.last?.object, "03-03")
        Self.totals.check(report["totals"], "totals by day")
    }

    /// By doctor (the appointment's):
    /// - 1: S1 S2 (A1) and S10 (A8) = 3; accepted/connected S1 → 1/1; ttc 800; timeouts S2 S10 → 2/3;
    ///   busy A1 → 1/(3 + 1) = 0.25; duration A1 1200; held A1 (A4 cancelled, A7 rescheduled) → 0/1 = 0
    /// - 2: S3 (A2), S7 (A6) = 2; accepted/connected S3 → 1/1; ttc 1300; timeouts 0/2 = 0; busy 0/2 = 0;
    ///   duration A2 1800; held A2 A6, no-show A6 → 1/2; recording made R4 (purged at `to`: not counted)
    /// - 3: S4 (A3), S5 S6 (A5) = 3; accepted S5 S6, connected S5 → 1/2; ttc 3000; timeouts S4 → 1/3;
    ///   busy A5, A3 → 2/(3 + 2) = 0.4; duration A5 600; held A3 A5, no-show A3 → 1/2; recording R2 made and purged
    static let doctors: [(String, KPIExpectation)] = [
        ("1", KPIExpectation(requested: 3, connected: 1, success: 1, ttc: (800, 800, 800), timeout: 2.0 / 3.0, busy: 0.25,
                             duration: 1200, noShow: 0, recordingsMade: 1, recordingsPurged: 1)),
        ("2", KPIExpectation(requested: 2, connected: 1, success: 1, ttc: (1300, 1300, 1300), timeout: 0, busy: 0,
                             duration: 1800, noShow: 0.5, recordingsMade: 1)),
        ("3", KPIExpectation(requested: 3, connected: 1, success: 0.5, ttc: (3000, 3000, 3000), timeout: 1.0 / 3.0,
                             busy: 0.4, duration: 600, noShow: 0.5, recordingsMade: 1, recordingsPurged: 1)),
    ]

    @Test("--by doctor groups by the appointment's doctor; the totals are unchanged")
    func byDoctor() async throws {
        let url = try KPISeed.database(KPISeed.clinic)
        let report = try await KPISeed.json(url, Self.period + ["--by", "doctor"])
        let groups = kpiGroups(report)
        #expect(groups.map(\.key) == ["1", "2", "3"])
        for ((key, expected), group) in zip(Self.doctors, groups) { expected.check(group.object, "doctor \(key)") }
        Self.totals.check(report["totals"], "totals by doctor")
    }

    /// By tenant: 1 = doctors 1 and 2: S1 S2 S10 S3 S7 = 5; accepted/connected S1 S3 → 2/2; ttc 800, 1300 →
    /// mean 1050, p50 1050, p95 1275; timeouts S2 S10 → 2/5; busy A1 → 1/(5 + 1); duration A1 1200,
    /// A2 1800 → 1500; held A1 A2 A6, no-show A6 → 1/3; recordings made R1 R4, purged R3. Tenant 2 = doctor 3.
    @Test("--by tenant groups by the appointment's tenant")
    func byTenant() async throws {
        let url = try KPISeed.database(KPISeed.clinic)
        let report = try await KPISeed.json(url, Self.period + ["--by", "tenant"])
        let groups = kpiGroups(report)
        #expect(groups.map(\.key) == ["1", "2"])
        KPIExpectation(requested: 5, connected: 2, success: 1, ttc: (1050, 1050, 1275), timeout: 0.4, busy: 1.0 / 6.0,
                       duration: 1500, noShow: 1.0 / 3.0, recordingsMade: 2, recordingsPurged: 1).check(groups.first?.object, "tenant 1")
        Self.doctors[2].1.check(groups.last?.object, "tenant 2")
        Self.totals.check(report["totals"], "totals by tenant")
    }

    @Test("--tenant restricts sessions, busy events, appointments and recordings to that tenant")
    func tenantFilter() async throws {
        let url = try KPISeed.database(KPISeed.clinic)
        let report = try await KPISeed.json(url, Self.period + ["--tenant", "2", "--by", "doctor"])
        Self.doctors[2].1.check(report["totals"], "tenant 2 totals")
        #expect(kpiGroups(report).map(\.key) == ["3"])
        let days = try await KPISeed.json(url, Self.period + ["--tenant", "2", "--by", "day"])
        // Tenant 2 by day: 03-01 S4 only (timeout, not accepted), busy none that day; A3 held, no-show → 1/1.
        KPIExpectation(requested: 1, connected: 0, success: nil, ttc: (nil, nil, nil), timeout: 1, busy: 0,
                       duration: nil, noShow: 1).check(kpiGroups(days).first?.object, "tenant 2 on 03-01")
        KPIExpectation.empty.check(try await KPISeed.json(url, Self.period + ["--tenant", "99"])["totals"], "unknown tenant")
    }

    @Test("an empty period: zero counts and null rates, never a division by zero; the table shows —")
    func emptyPeriod() async throws {
        let url = try KPISeed.database(KPISeed.clinic)
        let report = try await KPISeed.json(url, ["--from", "2025-01-01", "--to", "2025-01-03", "--by", "day"])
        KPIExpectation.empty.check(report["totals"], "empty totals")
        let groups = kpiGroups(report)
        #expect(groups.map(\.key) == ["2025-01-01", "2025-01-02"])
        for group in groups { KPIExpectation.empty.check(group.object, group.key) }
        let table = await KPISeed.run(url, ["--from", "2025-01-01", "--to", "2025-01-03", "--by", "day"]).standardOutput
        let total = try #require(table.split(separator: "\n").first { $0.hasPrefix("total") })
        #expect(total.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
                == ["total", "0", "0", "—", "—", "—", "—", "—", "—", "—", "—", "—", "—", "—", "—", "0", "0"])
        #expect((try await KPISeed.json(url, ["--from", "2025-01-01", "--to", "2025-01-03", "--by", "doctor"])["groups"] as? [Any])?.isEmpty == true)
    }

    @Test("migration 7 adds the scheduled_at index the appointment KPIs use; down removes it")
    func kpiIndex() async throws {
        let database = try TestDatabase()
        let connection = try database.migrated()
        let count = "SELECT count(*) AS n FROM pg_indexes WHERE indexname = 'appointments_scheduled_idx'"
        #expect(try connection.query(count).first?.decode(Int64.self, "n") == 1)
        let down = await InProcess.run(["migrate", "down", "--to", "6", "--database-url", database.connectionString])
        #expect(down.status == 0, "\(down.output)")
        #expect(try connection.query(count).first?.decode(Int64.self, "n") == 0)
    }
}
