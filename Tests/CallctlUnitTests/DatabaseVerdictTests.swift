import CallDomain
@testable import CallStore
import Foundation
import Testing

@Suite("diagnose db verdict: job liveness, refusals, real ages")
struct DatabaseVerdictTests {
    static let gap = 900.0
    static let lag = 300.0

    static func run(_ age: Double, _ outcome: JobRunOutcome = .succeeded, changed: Int = 0, error: String? = nil) -> JobRun {
        JobRun(startedAt: Date(timeIntervalSince1970: 1_800_000_000 - age),
               finishedAt: outcome == .running ? nil : Date(timeIntervalSince1970: 1_800_000_001 - age),
               outcome: outcome, claimed: changed, changed: changed, error: error, ageSeconds: age)
    }

    /// A migrated database's figures; every argument left out is quiet.
    static func health(zombies: (state: CallState, count: Int, overdue: Double)? = nil, overdueNoShows: (Int, Double)? = nil,
                       noShow: JobRun? = nil, reap: JobRun? = nil, refused: String? = nil, declared: String? = nil,
                       oldestPending: Double? = nil) -> DatabaseHealth {
        let applied = MigrationCatalog.all.map {
            AppliedMigration(version: $0.version, name: $0.name, checksum: $0.checksum, appliedAt: Date(), executionMilliseconds: 1)
        }
        let failing = refused.map { [OutboxFailingRow(id: 1, event: "E", channel: "c", attempts: 3, lastError: $0, nextAttemptAt: nil)] } ?? []
        let outbox = OutboxStatus(backlog: failing.count + (oldestPending == nil ? 0 : 1), oldestPendingAgeSeconds: oldestPending,
                                  notRelayed: 0, failingCount: failing.count, failing: failing, publishedLastHour: 0,
                                  destinations: OutboxDestinations(declared: declared, daemons: declared.map {
                                      [OutboxDestinations.Daemon(id: UUID(), target: $0)] } ?? []), webhooks: [])
        let calls = [CallState.ringing, .accepted, .inCall].map { state in
            let zombie = zombies.flatMap { $0.state == state ? $0 : nil }
            return OpenCallCount(state: state, open: zombie?.count ?? 0, zombies: zombie?.count ?? 0, timeoutSeconds: 30,
                                 oldestOverdueSeconds: zombie?.overdue)
        }
        return DatabaseHealth(migrations: MigrationStatus(applied: applied, catalog: MigrationCatalog.all), outbox: outbox,
                              openCalls: calls, overdueNoShows: overdueNoShows?.0 ?? 0,
                              oldestOverdueNoShowSeconds: overdueNoShows?.1,
                              noShowRuns: JobRunHistory(job: NoShowJob.name, lastRun: noShow),
                              reapRuns: JobRunHistory(job: ReapJob.name, lastRun: reap))
    }

    static func verdict(_ health: DatabaseHealth) -> DatabaseVerdict {
        DatabaseVerdict(health, maxBacklogAge: lag, maxJobGap: gap)
    }

    @Test("liveness: never ran, stopped (old, whatever its outcome), failing, running, idle, active")
    func liveness() {
        func state(_ run: JobRun?) -> JobLiveness.State {
            JobLiveness(JobRunHistory(job: "reap", lastRun: run), maxGap: Self.gap).state
        }
        #expect(state(nil) == .neverRan)
        #expect(state(Self.run(901)) == .stopped)
        #expect(state(Self.run(901, .failed, error: "x")) == .stopped)
        #expect(state(Self.run(901, .running)) == .stopped)
        #expect(state(Self.run(60, .failed, error: "x")) == .failing)
        #expect(state(Self.run(60, .running)) == .running)
        #expect(state(Self.run(60)) == .idle)
        #expect(state(Self.run(60, changed: 3)) == .active)
    }

    @Test("a job that never ran is fine until it has rows due; a stopped or failing one is a problem anyway")
    func problems() throws {
        let never = JobLiveness(JobRunHistory(job: "reap"), maxGap: Self.gap)
        #expect(never.problem(command: "c", oldestDueSeconds: nil, allowance: Self.lag) == nil)
        #expect(never.problem(command: "c", oldestDueSeconds: 1, allowance: Self.lag) == "the `c` cron is not running: it never ran")

        let stopped = JobLiveness(JobRunHistory(job: "reap", lastRun: Self.run(7200, .failed, error: "boom")), maxGap: Self.gap)
        #expect(stopped.problem(command: "c", oldestDueSeconds: nil, allowance: Self.lag)
                == "the `c` cron is not running: its last run started 2h00m ago and failed: boom (limit 15m00s)")
        let killed = JobLiveness(JobRunHistory(job: "reap", lastRun: Self.run(1000, .running)), maxGap: Self.gap)
        #expect(killed.problem(command: "c", oldestDueSeconds: nil, allowance: Self.lag)?.contains("never finished") == true)

        let failing = JobLiveness(JobRunHistory(job: "reap", lastRun: Self.run(30, .failed, error: "deadlock")), maxGap: Self.gap)
        #expect(failing.problem(command: "c", oldestDueSeconds: nil, allowance: Self.lag)
                == "`c` is failing: its last run, 30.0s ago, failed: deadlock")

        let idle = JobLiveness(JobRunHistory(job: "reap", lastRun: Self.run(30)), maxGap: Self.gap)
        #expect(idle.problem(command: "c", oldestDueSeconds: nil, allowance: Self.lag) == nil)
        #expect(idle.problem(command: "c", oldestDueSeconds: 200, allowance: Self.lag) == nil)
        let left = try #require(idle.problem(command: "c", oldestDueSeconds: 400, allowance: Self.lag))
        #expect(left.contains("last ran 30.0s ago (idle) but left them"))
        #expect(left.contains("`c --dry-run`"))
    }

    @Test("cron idle with nothing due is healthy; a fresh install that never ran a job is healthy")
    func idleIsHealthy() {
        #expect(Self.verdict(Self.health(noShow: Self.run(40), reap: Self.run(20))).status == .healthy)
        #expect(Self.verdict(Self.health()).status == .healthy)
    }

    @Test("zombies: a reaper that never ran, stopped or fails is named with the oldest zombie's real lateness")
    func zombies() {
        let never = Self.verdict(Self.health(zombies: (.ringing, 2, 15)))
        #expect(never.message.hasPrefix("2 zombie calls outlived the reaper's timeouts (ringing 2), the oldest by 15.0s: "
                                        + "the `callctl jobs reap` cron is not running: it never ran"))
        #expect(never.message.hasSuffix("see playbooks/zombie-calls.md"))

        let failing = Self.verdict(Self.health(zombies: (.inCall, 1, 50), reap: Self.run(45, .failed, error: "the database refused")))
        #expect(failing.message.contains("`callctl jobs reap` is failing: its last run, 45.0s ago, failed: the database refused"))

        // The reaper runs: a zombie younger than the allowance waits for its next run.
        #expect(Self.verdict(Self.health(zombies: (.ringing, 1, 15), reap: Self.run(40))).status == .healthy)
        let left = Self.verdict(Self.health(zombies: (.accepted, 1, 700), reap: Self.run(40)))
        #expect(left.message.contains("the oldest by 11m40s: `callctl jobs reap` last ran 40.0s ago (idle) but left them"))
    }

    @Test("overdue no-shows state how long ago the oldest window closed, not the threshold")
    func noShowAge() {
        let verdict = Self.verdict(Self.health(overdueNoShows: (3, 8100), reap: Self.run(20)))
        #expect(verdict.status == .problem)
        #expect(verdict.message.hasPrefix("3 appointments not marked no_show, the oldest 2h15m after its window closed: "
                                          + "the `callctl jobs no-show` cron is not running: it never ran"))
        #expect(!verdict.message.contains("5m00s"))
    }

    @Test("a stopped or failing cron with nothing due is a problem of its own, after the due rows")
    func stoppedWithNothingDue() {
        let stopped = Self.verdict(Self.health(noShow: Self.run(3600), reap: Self.run(20)))
        #expect(stopped.message.hasPrefix("the `callctl jobs no-show` cron is not running: its last run started 1h00m ago"))
        #expect(stopped.message.contains("playbooks/no-show-backlog.md"))

        let both = Self.verdict(Self.health(overdueNoShows: (1, 400), noShow: Self.run(3600), reap: Self.run(3600)))
        #expect(both.message.hasPrefix("1 appointment not marked no_show"), "due rows come before a stopped cron with nothing due")
    }

    @Test("rows the external server refused are flagged at once with its error, before any backlog or job")
    func refusals() {
        let verdict = Self.verdict(Self.health(zombies: (.ringing, 1, 10), refused: "HTTP 401: invalid signature",
                                               declared: "http://pusher.test/apps/1", oldestPending: 2))
        #expect(verdict.status == .problem)
        #expect(verdict.message.hasPrefix("1 outbox row refused by the external server http://pusher.test/apps/1: HTTP 401: invalid signature"))
        #expect(verdict.message.contains("callctl outbox status"))
        #expect(verdict.message.contains("callctl outbox flush"))
        #expect(verdict.message.contains("playbooks/echo-no-events.md"))
        #expect(!verdict.message.contains("callctl serve"))

        let backlog = Self.verdict(Self.health(oldestPending: 400))
        #expect(backlog.message.hasPrefix("outbox backlog 1 rows, oldest 6m40s: is `callctl serve` running?"))
    }
}
