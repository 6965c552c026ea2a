import ArgumentParser
import CallDomain
import CallStore
import Foundation
import Postgres

/// `callctl diagnose db`: is the database reachable, migrated, and are the relay and the jobs keeping up?
struct DiagnoseDB: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Check the database: reachable, migrations current, outbox backlog, open and zombie calls, jobs' last activity.",
        discussion: """
        Connects (exit 69 when it cannot, naming host and port, never the password), compares \
        schema_migrations with this binary's migrations (exit 78 when nothing was migrated), \
        then reads the outbox backlog and the age of its oldest pending row, the open calls by \
        state with how many outlived the reaper's timeouts (timeouts.ringing, timeouts.connect, \
        timeouts.heartbeat from the settings table), the appointments whose window closed more \
        than --max-backlog-age ago and are still not marked no_show, and when the jobs last \
        wrote their audit rows (no_show; reaped or timeout).

        The last line is the verdict: "healthy", or the first problem with its fix and the \
        playbook to follow.

        Exit codes: 0 healthy, 1 a problem found, 69 database unreachable, 78 callctl's schema \
        missing or bad configuration.

        Examples:
          callctl diagnose db
          callctl diagnose db --env-file /var/www/app/.env
          callctl diagnose db --format json | jq .verdict
          callctl diagnose db --max-backlog-age 60 || page-oncall "callctl database unhealthy"
        """
    )

    @Option(name: .long, help: "Result format: text or json.") var format: OutputFormat = .text
    @Option(name: .long, help: ArgumentHelp(
        "How old the oldest pending outbox row, and how late a no-show, may be before it is a problem.", valueName: "seconds"))
    var maxBacklogAge: Double = 300
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard maxBacklogAge > 0, maxBacklogAge.isFinite else {
            throw ValidationError("--max-backlog-age must be a positive number of seconds; got \(maxBacklogAge)")
        }
    }

    func run(in context: CommandContext) async throws {
        try await context.reportingFailures(logging: logging) {
            let session = try context.session(database: database, logging: logging, label: "callctl.diagnose")
            let diagnosis = try await DatabaseDiagnosis.run(settings: session.database, now: session.now(),
                                                            maxBacklogAge: maxBacklogAge)
            let (health, verdict) = (diagnosis.health, diagnosis.verdict)
            switch format {
            case .json:
                try session.output.json(DiagnoseDBReport(database: "\(session.database)", health: health,
                                                         maxBacklogAge: maxBacklogAge, verdict: verdict))
            case .text:
                DiagnoseDBText.lines(database: "\(session.database)", health: health, maxBacklogAge: maxBacklogAge, verdict: verdict)
                    .forEach(session.output.line)
            }
            let exitCode = Self.exitCode(verdict.status)
            if exitCode != 0 { throw ExitCode(exitCode) }
        }
    }

    /// The exit code docs/design.md gives each verdict: 0, 1, 69 or 78.
    static func exitCode(_ status: DatabaseVerdict.Status) -> Int32 {
        switch status {
        case .healthy: 0
        case .problem: Failure.failed
        case .unreachable: Failure.unavailable
        case .schemaMissing: Failure.configuration
        }
    }
}

/// `diagnose db --format json`: `status`, `verdict`, `exit_code`, `database`, `reachable`,
/// `migrations` (`current_version`, `latest_version`, `pending`, `changed`, `unknown`),
/// `outbox` (`backlog`, `oldest_pending_age_seconds`, `not_relayed`, `failing_count`),
/// `max_backlog_age_seconds`, `open_calls` (per state: `open`, `zombies`, `timeout_seconds`),
/// `overdue_no_shows`, `jobs` (`last_no_show_at`, `last_reap_at`); what was not read is null.
struct DiagnoseDBReport: Encodable {
    let database: String
    let health: DatabaseHealth?
    let maxBacklogAge: Double
    let verdict: DatabaseVerdict

    private enum Keys: String, CodingKey {
        case status, verdict, database, reachable, migrations, outbox, jobs
        case exitCode = "exit_code", maxBacklogAge = "max_backlog_age_seconds", openCalls = "open_calls"
        case overdueNoShows = "overdue_no_shows"
    }

    private struct Dynamic: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: any Encoder) throws {
        var object = encoder.container(keyedBy: Keys.self)
        try object.encode(verdict.status.rawValue, forKey: .status)
        try object.encode(verdict.message, forKey: .verdict)
        try object.encode(DiagnoseDB.exitCode(verdict.status), forKey: .exitCode)
        try object.encode(database, forKey: .database)
        try object.encode(health != nil, forKey: .reachable)
        try object.encode(maxBacklogAge, forKey: .maxBacklogAge)
        let readFully = health.map { !$0.schemaMissing && $0.migrations.pending.isEmpty } ?? false
        if let migrations = health?.migrations {
            var nested = object.nestedContainer(keyedBy: Dynamic.self, forKey: .migrations)
            try nested.encode(migrations.currentVersion, forKey: Dynamic(stringValue: "current_version"))
            try nested.encode(MigrationCatalog.latestVersion, forKey: Dynamic(stringValue: "latest_version"))
            try nested.encode(migrations.pending.map(\.version), forKey: Dynamic(stringValue: "pending"))
            try nested.encode(migrations.changed.map(\.applied.version), forKey: Dynamic(stringValue: "changed"))
            try nested.encode(migrations.unknown.map(\.version), forKey: Dynamic(stringValue: "unknown"))
        } else {
            try object.encodeNil(forKey: .migrations)
        }
        if let outbox = health?.outbox {
            var nested = object.nestedContainer(keyedBy: Dynamic.self, forKey: .outbox)
            try nested.encode(outbox.backlog, forKey: Dynamic(stringValue: "backlog"))
            try nested.encode(outbox.oldestPendingAgeSeconds.map { ($0 * 1000).rounded() / 1000 },
                              forKey: Dynamic(stringValue: "oldest_pending_age_seconds"))
            try nested.encode(outbox.notRelayed, forKey: Dynamic(stringValue: "not_relayed"))
            try nested.encode(outbox.failingCount, forKey: Dynamic(stringValue: "failing_count"))
        } else {
            try object.encodeNil(forKey: .outbox)
        }
        if let health, readFully {
            var calls = object.nestedContainer(keyedBy: Dynamic.self, forKey: .openCalls)
            for count in health.openCalls {
                try calls.encode(["open": count.open, "zombies": count.zombies, "timeout_seconds": count.timeoutSeconds],
                                 forKey: Dynamic(stringValue: count.state.rawValue))
            }
            try object.encode(health.overdueNoShows, forKey: .overdueNoShows)
            try object.encode(["last_no_show_at": health.lastNoShowAt.map(PGTimestamp.format),
                               "last_reap_at": health.lastReapAt.map(PGTimestamp.format)], forKey: .jobs)
        } else {
            try object.encodeNil(forKey: .openCalls)
            try object.encodeNil(forKey: .overdueNoShows)
            try object.encodeNil(forKey: .jobs)
        }
    }
}

/// `diagnose db` for people: one line per figure, the verdict last.
enum DiagnoseDBText {
    static func lines(database: String, health: DatabaseHealth?, maxBacklogAge: Double, verdict: DatabaseVerdict) -> [String] {
        var lines = ["database:         \(database)", "reachable:        \(health == nil ? "no" : "yes")"]
        if let health, !health.schemaMissing {
            let migrations = health.migrations
            lines.append("migrations:       version \(migrations.currentVersion) of \(MigrationCatalog.latestVersion), "
                + "\(migrations.pending.count) pending, \(migrations.changed.count) changed, \(migrations.unknown.count) unknown")
        }
        if let outbox = health?.outbox {
            lines.append("outbox:           \(ReadableText.count(outbox.backlog, "row")) pending, oldest "
                + (outbox.oldestPendingAgeSeconds.map(ReadableText.age) ?? "none")
                + " (limit \(ReadableText.age(maxBacklogAge))), \(outbox.failingCount) failing")
        }
        if let health, health.outbox != nil {
            let calls = health.openCalls.map { "\($0.state.rawValue) \($0.open) (\($0.zombies) over \($0.timeoutSeconds)s)" }
            lines.append("open calls:       " + calls.joined(separator: ", "))
            lines.append("overdue no-shows: \(health.overdueNoShows)")
            lines.append("last no_show:     " + (health.lastNoShowAt.map(PGTimestamp.formatSeconds) ?? "never"))
            lines.append("last reap:        " + (health.lastReapAt.map(PGTimestamp.formatSeconds) ?? "never"))
        }
        lines.append("verdict: \(verdict.message)")
        return lines
    }
}
