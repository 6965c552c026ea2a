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

    /// The verdict on figures read from a reachable database; `maxBacklogAge` is how old the
    /// oldest pending outbox row, and how late a no-show, may be before it is a problem.
    public init(_ health: DatabaseHealth, maxBacklogAge: Double) {
        let migrations = health.migrations
        let zombies = health.openCalls.filter { $0.zombies > 0 }
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
        } else if let outbox = health.outbox, let age = outbox.oldestPendingAgeSeconds, age > maxBacklogAge {
            let failing = outbox.failingCount > 0
                ? "; \(outbox.failingCount) refused by the external server, `callctl outbox status` shows why" : ""
            self.init(.problem, "outbox backlog \(ReadableText.grouped(outbox.backlog)) rows, oldest "
                + "\(ReadableText.age(age)): is `callctl serve` running?\(failing) see playbooks/echo-no-events.md")
        } else if !zombies.isEmpty {
            let byState = zombies.map { "\($0.state.rawValue) \($0.zombies)" }.joined(separator: ", ")
            self.init(.problem, "\(ReadableText.count(zombies.reduce(0) { $0 + $1.zombies }, "zombie call")) outlived "
                + "the reaper's timeouts (\(byState)): is the `callctl jobs reap` cron running? see playbooks/zombie-calls.md")
        } else if health.overdueNoShows > 0 {
            self.init(.problem, "\(ReadableText.count(health.overdueNoShows, "appointment")) not marked no_show "
                + "\(ReadableText.age(maxBacklogAge)) after the window closed: is the `callctl jobs no-show` cron "
                + "running? see playbooks/no-show-backlog.md")
        } else {
            self.init(.healthy, "healthy")
        }
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

/// `diagnose db`'s whole finding: the figures (nil when the server does not answer) and the verdict.
public struct DatabaseDiagnosis: Sendable {
    /// What was read; nil when the database is unreachable.
    public let health: DatabaseHealth?
    /// The conclusion.
    public let verdict: DatabaseVerdict

    /// Connects (off the cooperative pool), reads ``DatabaseHealth`` as of `now` and judges it.
    /// An unreachable server is a verdict, not an error; other failures are thrown.
    public static func run(settings: ConnectionSettings, now: Date, maxBacklogAge: Double) async throws -> DatabaseDiagnosis {
        do {
            let health = try await PGConnection.withNew(settings: settings) {
                try DatabaseHealthQuery.read(on: $0, now: now, allowedLag: maxBacklogAge)
            }
            return DatabaseDiagnosis(health: health, verdict: DatabaseVerdict(health, maxBacklogAge: maxBacklogAge))
        } catch let error as PostgresError where error.isUnavailable {
            return DatabaseDiagnosis(health: nil, verdict: DatabaseVerdict(unreachable: error))
        }
    }
}
