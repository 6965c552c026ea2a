import CallDomain
@testable import CallStore
import Foundation
import Testing

@Suite("diagnose db verdict: recordings overdue for deletion and the daily purge job")
struct DatabaseVerdictRecordingsTests {
    static let day = 86_400.0

    /// The quiet figures of ``DatabaseVerdictTests/health`` with recordings and purge runs.
    static func health(overdue: (count: Int, oldest: Double)? = nil, failing: String? = nil, anyReceived: Bool = true,
                       purge: JobRun? = nil, overdueNoShows: (Int, Double)? = nil) -> DatabaseHealth {
        var health = DatabaseVerdictTests.health(overdueNoShows: overdueNoShows)
        health.recordings = RecordingPurgeHealth(anyReceived: anyReceived, stored: anyReceived ? 5 : 0, overdue: overdue?.count ?? 0,
                                                 oldestOverdueSeconds: overdue?.oldest, failing: failing == nil ? 0 : 1,
                                                 lastError: failing, retentionSeconds: 30 * 86_400, tenantsWithOwnRetention: 0)
        health.purgeRuns = JobRunHistory(job: PurgeRecordingsJob.name, lastRun: purge)
        return health
    }

    static func message(_ health: DatabaseHealth) -> String {
        DatabaseVerdictTests.verdict(health).message
    }

    @Test("no recording, or none overdue: a purge job that never ran, or stopped without recordings, is healthy")
    func quiet() {
        #expect(Self.message(Self.health(anyReceived: false)) == "healthy")
        #expect(Self.message(Self.health(anyReceived: false, purge: DatabaseVerdictTests.run(10 * Self.day, .failed, error: "x"))) == "healthy")
        #expect(Self.message(Self.health()) == "healthy")
        #expect(Self.message(Self.health(purge: DatabaseVerdictTests.run(20 * 3600))) == "healthy", "a daily run 20 h ago is on time")
    }

    @Test("overdue recordings: how many, how long past retention, why the job left them, the fix and the playbook")
    func overdue() {
        #expect(Self.message(Self.health(overdue: (3, 4 * Self.day))) == "3 recordings overdue for deletion, the oldest 96h00m past "
            + "its retention: the `callctl jobs purge-recordings` cron is not running: it never ran; run `callctl jobs "
            + "purge-recordings` and see playbooks/recordings-not-purged.md")
        let idle = Self.message(Self.health(overdue: (1, 1.5 * Self.day), purge: DatabaseVerdictTests.run(3600)))
        #expect(idle.hasPrefix("1 recording overdue for deletion, the oldest 36h00m past its retention: `callctl jobs "
            + "purge-recordings` last ran 1h00m ago (idle) but left them"), "\(idle)")
        let refused = Self.message(Self.health(overdue: (2, 2 * Self.day), failing: "HTTP 403: AccessDenied",
                                               purge: DatabaseVerdictTests.run(30 * 3600)))
        #expect(refused.contains("its last run started 30h00m ago (limit 26h00m); the storage refused to delete 1 recording, "
            + "the last attempt: HTTP 403: AccessDenied; run `callctl jobs purge-recordings`"), "\(refused)")
    }

    @Test("a failing purge run that quotes the storage's error is not repeated; with nothing overdue it is still a problem")
    func failing() {
        let run = DatabaseVerdictTests.run(600, .failed, error: "1 recording could not be deleted at the storage (first: recording r: denied)")
        let overdue = Self.message(Self.health(overdue: (1, 2 * Self.day), failing: "denied", purge: run))
        #expect(overdue.components(separatedBy: "denied").count == 2, "\(overdue)")
        let early = Self.message(Self.health(failing: "denied", purge: run))
        #expect(early.hasPrefix("`callctl jobs purge-recordings` is failing: its last run, 10m00s ago, failed: "), "\(early)")
        #expect(early.hasSuffix("no recording is overdue yet, but none will be deleted until it runs: check the cron entry "
            + "(/etc/cron.d/callctl, from crontab.example) and /var/log/callctl/jobs-purge-recordings.log; "
            + "see playbooks/recordings-not-purged.md"))
    }

    @Test("first problem wins: overdue no-shows before overdue recordings, overdue recordings before a stopped reaper")
    func order() {
        #expect(Self.message(Self.health(overdue: (1, 2 * Self.day), overdueNoShows: (1, 600))).hasPrefix("1 appointment not marked no_show"))
        var health = Self.health(overdue: (1, 2 * Self.day))
        health = DatabaseHealth(migrations: health.migrations, outbox: health.outbox, openCalls: health.openCalls, overdueNoShows: 0,
                                oldestOverdueNoShowSeconds: nil, noShowRuns: health.noShowRuns,
                                reapRuns: JobRunHistory(job: ReapJob.name, lastRun: DatabaseVerdictTests.run(7200)),
                                recordings: health.recordings, purgeRuns: health.purgeRuns)
        #expect(Self.message(health).hasPrefix("1 recording overdue for deletion"))
    }
}
