import ArgumentParser

/// `callctl jobs`: the cron jobs.
struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "Run the cron jobs: mark no-shows, reap zombie calls, purge expired recordings.",
        discussion: """
        Every job is safe however cron runs them: rows are claimed with FOR UPDATE SKIP \
        LOCKED in batches, one transaction per batch holding the change, its audit row and its \
        outbox event, so concurrent runners change each row once, a killed run leaves no \
        half-done change, and a rerun finds nothing left to do. See crontab.example.

        Exit codes: 0 success, 1 the job failed, 64 usage, 69 database unavailable, 78 bad \
        configuration (including a database without callctl's schema).

        Examples:
          callctl jobs no-show
          callctl jobs reap --format json
          callctl jobs no-show --dry-run --now 2026-03-29T10:45:01Z
          callctl jobs purge-recordings --dry-run
        """,
        subcommands: [JobsNoShow.self, JobsReap.self, JobsPurgeRecordings.self]
    )
}
