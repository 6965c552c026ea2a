import ArgumentParser

/// `callctl migrate`: owns the call-related schema.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply, revert, show and plan the schema migrations embedded in callctl.",
        discussion: """
        Each migration runs in its own transaction with its schema_migrations row, under an \
        advisory lock: concurrent runs serialize and apply each migration once. Tables a \
        Laravel app already owns (tenants, users, doctors, patients, appointments) are adopted: \
        only missing columns are added, and `down` never drops them.

        Examples:
          callctl migrate up
          callctl migrate status --format json
          callctl migrate plan > pending.sql
          callctl migrate down --to 2
        """,
        subcommands: [MigrateUp.self, MigrateDown.self, MigrateStatus.self, MigratePlan.self]
    )
}
