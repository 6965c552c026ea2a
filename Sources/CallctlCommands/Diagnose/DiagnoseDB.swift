import ArgumentParser
import CallDomain
import CallStore
import Foundation
import Postgres

/// `callctl diagnose db`: is the database reachable, migrated, and are the relay and the jobs keeping up?
struct DiagnoseDB: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Check the database: reachable, migrations current, outbox backlog and refusals, open and zombie calls, "
            + "recordings past their retention, the jobs' runs.",
        discussion: """
        Connects (exit 69 when it cannot, naming host and port, never the password), compares \
        schema_migrations with this binary's migrations (exit 78 when nothing was migrated), \
        then reads the outbox backlog and the age of its oldest pending row, the rows the \
        external server (outbox_external) refused with its last error, the open calls by \
        state with how many outlived the reaper's timeouts (timeouts.ringing, timeouts.connect, \
        timeouts.heartbeat from the settings table) and by how long, the appointments whose \
        window closed more than --max-backlog-age ago and are still not marked no_show with \
        the age of the oldest, the recordings not deleted more than a day past \
        recording.retention with how long past it the oldest is, and those whose deletion the \
        storage refused with its last error, and each job's runs from job_runs (dry runs \
        aside): the last run's start, end, outcome, counts and error, and the last run that \
        changed something.

        A job is "stopped" when its last run started more than --max-job-gap ago (whatever \
        its outcome), "failing" when its recent last run failed, and otherwise "running", \
        "idle" (nothing to change) or "active"; "never_ran" without any run recorded. The \
        daily purge_recordings job may go 26 hours without a run (or --max-job-gap if \
        longer), and is judged only once a recording was received.

        The last line is the verdict: "healthy", or the first problem with its fix and the \
        playbook to follow, in this order: schema, migrations, outbox destinations, rows the \
        external server refused (at once, with its error), an outbox backlog older than \
        --max-backlog-age, zombie calls, then overdue no-shows, with why their job left them \
        (its cron stopped or never ran, its runs fail, or it runs and still left them for \
        longer than --max-backlog-age), then recordings overdue for deletion (with the \
        storage's refusal), then a job whose cron stopped or fails with nothing due yet. A job that never ran is fine until it has something to do.

        JSON (--format json): status, verdict, exit_code, database, reachable, \
        max_backlog_age_seconds, max_job_gap_seconds, migrations, outbox (with \
        external_target and refused_error), open_calls (per state: open, zombies, \
        timeout_seconds, oldest_overdue_seconds), overdue_no_shows, \
        overdue_no_show_age_seconds, recordings (any_received, stored, overdue, \
        oldest_overdue_seconds, purge_failing, last_purge_error, retention_seconds, \
        grace_seconds), jobs (no_show, reap and purge_recordings: state, last_run, last_change, \
        each run with started_at, finished_at, outcome, claimed, changed, error, \
        age_seconds); what was not read is null.

        Exit codes: 0 healthy, 1 a problem found, 69 database unreachable, 78 callctl's schema \
        missing or bad configuration.

        Examples:
          callctl diagnose db
          callctl diagnose db --env-file /var/www/app/.env
          callctl diagnose db --format json | jq .verdict
          callctl diagnose db --max-backlog-age 60 || page-oncall "callctl database unhealthy"
          callctl diagnose db --format json | jq '.jobs.reap.state, .jobs.reap.last_run.error'
          callctl diagnose db --max-job-gap 3600   # jobs run hourly
        """
    )

    @Option(name: .long, help: "Result format: text, json or junit (for CI).") var format: DiagnoseDBFormat = .text
    @Option(name: .long, help: ArgumentHelp(
        "How old the oldest pending outbox row, and how late a no-show, may be before it is a problem.", valueName: "seconds"))
    var maxBacklogAge: Double = 300
    @Option(name: .long, help: ArgumentHelp(
        "How long a job may go without a run before its cron counts as stopped.", valueName: "seconds"))
    var maxJobGap: Double = 900
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard maxBacklogAge > 0, maxBacklogAge.isFinite else {
            throw ValidationError("--max-backlog-age must be a positive number of seconds; got \(maxBacklogAge)")
        }
        guard maxJobGap > 0, maxJobGap.isFinite else {
            throw ValidationError("--max-job-gap must be a positive number of seconds; got \(maxJobGap)")
        }
    }

    func run(in context: CommandContext) async throws {
        try await context.reportingFailures(logging: logging) {
            let session = try context.session(database: database, logging: logging, label: "callctl.diagnose")
            let diagnosis = try await DatabaseDiagnosis.run(settings: session.database, now: session.now(),
                                                            maxBacklogAge: maxBacklogAge, maxJobGap: maxJobGap)
            let (health, verdict) = (diagnosis.health, diagnosis.verdict)
            switch format {
            case .json:
                try session.output.json(DiagnoseDBReport(database: "\(session.database)", health: health,
                                                         maxBacklogAge: maxBacklogAge, maxJobGap: maxJobGap, verdict: verdict))
            case .text:
                DiagnoseDBText.lines(database: "\(session.database)", health: health, maxBacklogAge: maxBacklogAge,
                                     maxJobGap: maxJobGap, verdict: verdict)
                    .forEach(session.output.line)
            case .junit:
                session.output.write(Self.junit(health: health, verdict: verdict, database: "\(session.database)"))
            }
            let exitCode = Self.exitCode(verdict.status)
            if exitCode != 0 { throw ExitCode(exitCode) }
        }
    }

    /// `--format junit`: the database reachable, callctl's schema present, the migrations current,
    /// and the verdict, one test case each; a case after a failed one is skipped.
    static func junit(health: DatabaseHealth?, verdict: DatabaseVerdict, database: String) -> String {
        typealias Case = JUnitReport.Case
        func item(_ name: String, _ outcome: Case.Outcome) -> Case { Case(classname: "diagnose.db", name: name, seconds: 0, outcome: outcome) }
        let failed: (String) -> Case.Outcome = { .failed(message: verdict.message, type: verdict.status.rawValue, detail: $0) }
        var cases = [item("reachable", health == nil ? failed(database) : .passed(output: database))]
        guard let health else {
            return JUnitReport(name: "callctl diagnose", suite: "callctl diagnose db", cases: cases + ["schema", "migrations_current", "verdict"]
                .map { item($0, .skipped(message: "the database is unreachable")) }).document
        }
        let migrations = health.migrations
        cases.append(item("schema", health.schemaMissing ? failed("no migration applied") : .passed(output: "\(migrations.applied.count) migrations applied")))
        let current = migrations.pending.isEmpty && migrations.changed.isEmpty && migrations.unknown.isEmpty
        cases.append(item("migrations_current", health.schemaMissing ? .skipped(message: "no schema")
            : current ? .passed(output: "at version \(migrations.currentVersion)") : failed("at version \(migrations.currentVersion)")))
        cases.append(item("verdict", verdict.status == .healthy ? .passed(output: verdict.message) : failed(verdict.message)))
        return JUnitReport(name: "callctl diagnose", suite: "callctl diagnose db", cases: cases).document
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

/// `diagnose db --format`.
enum DiagnoseDBFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text, json, junit
}
