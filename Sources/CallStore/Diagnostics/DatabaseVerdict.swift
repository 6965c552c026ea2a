import CallDomain
import Foundation
import Postgres

/// The one conclusion about a database: the first problem found, in the order an engineer
/// fixes them, with its fix and the playbook to follow.
public struct DatabaseVerdict: Sendable, Equatable {
    /// What kind of conclusion it is (the command maps it to an exit code).
    public enum Status: String, Sendable {
        /// Nothing to do.
        case healthy
        /// Something to fix, named in the message.
        case problem
        /// The server does not answer.
        case unreachable
        /// Nothing was ever migrated.
        case schemaMissing = "schema_missing"
    }

    /// The kind of conclusion.
    public let status: Status
    /// "healthy", or the problem and its fix.
    public let message: String

    private static let noShowCommand = "callctl jobs no-show"
    private static let reapCommand = "callctl jobs reap"
    private static let purgeCommand = "callctl jobs purge-recordings"
    private static let purgePlaybook = "playbooks/recordings-not-purged.md"

    /// The verdict on figures read from a reachable database. `maxBacklogAge`: how old the
    /// oldest pending outbox row may be, and how long a no-show or a zombie call may stay due
    /// while its job runs. `maxJobGap`: how long a job may go without a run (``JobLiveness``);
    /// the daily purge job may go ``RecordingPurgeHealth/jobGap`` when that is longer, and is
    /// judged only once some recording was received.
    ///
    /// The order: schema, migrations, outbox destinations, rows the external server refused,
    /// the outbox backlog, then each job with rows it left due (reap, no-show, purge of
    /// recordings overdue by more than ``RecordingPurgeHealth/grace``), then each job whose
    /// cron stopped or fails with nothing due yet, then a failing or stale ICE probe.
    public init(_ health: DatabaseHealth, maxBacklogAge: Double, maxJobGap: Double) {
        let migrations = health.migrations
        let zombies = health.openCalls.filter { $0.zombies > 0 }
        let oldestZombie = zombies.compactMap(\.oldestOverdueSeconds).max()
        let reap = JobLiveness(health.reapRuns, maxGap: maxJobGap)
        let noShow = JobLiveness(health.noShowRuns, maxGap: maxJobGap)
        let reapProblem = reap.problem(command: Self.reapCommand, oldestDueSeconds: oldestZombie, allowance: maxBacklogAge)
        let noShowProblem = noShow.problem(command: Self.noShowCommand, oldestDueSeconds: health.oldestOverdueNoShowSeconds,
                                           allowance: maxBacklogAge)
        let recordings = health.recordings
        let purge = JobLiveness(health.purgeRuns, maxGap: RecordingPurgeHealth.maxGap(given: maxJobGap))
        let purgeProblem = recordings.anyReceived ? purge.problem(command: Self.purgeCommand, oldestDueSeconds: recordings.oldestOverdueSeconds,
                                                                  allowance: RecordingPurgeHealth.grace) : nil
        if health.schemaMissing {
            self.init(.schemaMissing, "the database has no callctl schema "
                + "(no migration applied): run `callctl migrate up`; see playbooks/migration-refused.md")
        } else if let changed = migrations.changed.first {
            self.init(.problem, "migration \(changed.current.label) was changed after it was applied: deploy the callctl "
                + "build that applied it; see playbooks/migration-refused.md")
        } else if let unknown = migrations.unknown.first {
            self.init(.problem, "the database has migration \(unknown.version) (\(unknown.name)) that this callctl does not "
                + "know: run the newer callctl that applied it; see playbooks/migration-refused.md")
        } else if !migrations.pending.isEmpty {
            self.init(.problem, "\(ReadableText.count(migrations.pending.count, "migration")) pending (database at version "
                + "\(migrations.currentVersion), this callctl has \(MigrationCatalog.latestVersion)): run `callctl migrate up`")
        } else if let problem = health.outbox?.destinations.problems.first {
            self.init(.problem, "outbox destinations: \(problem); see playbooks/echo-no-events.md")
        } else if let outbox = health.outbox, let target = outbox.destinations.declared, outbox.failingCount > 0 {
            let error = outbox.failing.lazy.compactMap(\.lastError).first ?? "no error recorded"
            self.init(.problem, "\(ReadableText.count(outbox.failingCount, "outbox row")) refused by the external server "
                + "\(target): \(error); `callctl outbox status` lists them, fix the cause, then `callctl outbox flush` "
                + "delivers them and shows why any is still refused; see playbooks/echo-no-events.md")
        } else if let outbox = health.outbox, let age = outbox.oldestPendingAgeSeconds, age > maxBacklogAge {
            self.init(.problem, "outbox backlog \(ReadableText.grouped(outbox.backlog)) rows, oldest "
                + "\(ReadableText.age(age)): is `callctl serve` running? see playbooks/echo-no-events.md")
        } else if let oldestZombie, let reapProblem {
            let byState = zombies.map { "\($0.state.rawValue) \($0.zombies)" }.joined(separator: ", ")
            self.init(.problem, "\(ReadableText.count(zombies.reduce(0) { $0 + $1.zombies }, "zombie call")) outlived "
                + "the reaper's timeouts (\(byState)), the oldest by \(ReadableText.age(oldestZombie)): \(reapProblem); "
                + "see playbooks/zombie-calls.md")
        } else if let oldest = health.oldestOverdueNoShowSeconds, let noShowProblem {
            self.init(.problem, "\(ReadableText.count(health.overdueNoShows, "appointment")) not marked no_show, the oldest "
                + "\(ReadableText.age(oldest)) after its window closed: \(noShowProblem); see playbooks/no-show-backlog.md")
        } else if let oldest = recordings.oldestOverdueSeconds, let purgeProblem {
            self.init(.problem, "\(ReadableText.count(recordings.overdue, "recording")) overdue for deletion, the oldest "
                + "\(ReadableText.age(oldest)) past its retention: \(purgeProblem)\(Self.refusal(recordings, besides: purgeProblem)); "
                + "run `\(Self.purgeCommand)` and see \(Self.purgePlaybook)")
        } else if let reapProblem {
            self.init(.problem, "\(reapProblem); no call is overdue yet, but none will be closed until it runs: check the "
                + "cron entry (/etc/cron.d/callctl, from crontab.example) and /var/log/callctl/jobs-reap.log; see playbooks/zombie-calls.md")
        } else if let noShowProblem {
            self.init(.problem, "\(noShowProblem); no appointment is overdue yet, but none will be marked until it runs: "
                + "check the cron entry (/etc/cron.d/callctl, from crontab.example) and /var/log/callctl/jobs-no-show.log; see playbooks/no-show-backlog.md")
        } else if let purgeProblem {
            self.init(.problem, "\(purgeProblem)\(Self.refusal(recordings, besides: purgeProblem)); no recording is overdue yet, but "
                + "none will be deleted until it runs: check the cron entry (/etc/cron.d/callctl, from crontab.example) and "
                + "/var/log/callctl/jobs-purge-recordings.log; see \(Self.purgePlaybook)")
        } else if let problem = Self.iceProblem(health.iceServers, now: health.readAt) {
            self.init(.problem, problem)
        } else {
            self.init(.healthy, "healthy")
        }
    }

    /// The storage's refusals, unless `problem` (the purge job's failed run) already quotes its error.
    static func refusal(_ recordings: RecordingPurgeHealth, besides problem: String) -> String {
        guard recordings.failing > 0 else { return "" }
        let error = recordings.lastError ?? "no error recorded"
        guard !problem.contains(error) else { return "" }
        return "; the storage refused to delete \(ReadableText.count(recordings.failing, "recording")), the last attempt: \(error)"
    }

    /// A recorded ICE server that is failing, or recorded verdicts gone stale (the
    /// `probe ice --record` cron stopped); nil when none was ever recorded.
    static func iceProblem(_ servers: [IceServerHealth], now: Date) -> String? {
        if let failing = servers.first(where: { $0.status == "critical" && !$0.isStale(at: now, staleAfter: IceAdvice.staleAfter) }) {
            let since = failing.failingSince.map { " since \(PGTimestamp.formatSeconds($0)) (\(ReadableText.age(now.timeIntervalSince($0))))" } ?? ""
            return "ICE server \(failing.uri) is failing\(since): \(failing.detail ?? "no detail"); browsers get a warning and "
                + "relay-only callers cannot connect; see playbooks/turn-down.md"
        }
        if let newest = servers.map(\.checkedAt).max(), now.timeIntervalSince(newest) > IceAdvice.staleAfter {
            return "the ICE servers' health was last recorded \(ReadableText.age(now.timeIntervalSince(newest))) ago: is the "
                + "`callctl probe ice --record` cron running? (/etc/cron.d/callctl); browsers are warned the relay's health is unknown"
        }
        return nil
    }

    /// The verdict when the server does not answer: what failed, and what to check.
    public init(unreachable error: PostgresError) {
        self.init(.unreachable, "\(error.message) — check that the server runs (`pg_isready -h HOST -p PORT` with the "
            + "host and port above), that a firewall lets this host in, and that --database-url, DATABASE_URL or the "
            + ".env's DB_* point at it")
    }

    private init(_ status: Status, _ message: String) {
        self.status = status
        self.message = message
    }
}
