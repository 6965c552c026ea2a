import ArgumentParser
import CallStore

/// `callctl migrate plan`: the SQL `up` would run, without running it.
struct MigratePlan: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Print the SQL that `migrate up` would run, without running it.",
        discussion: """
        The output is a reviewable script: each pending migration in its own transaction, as \
        `up` runs it (up also records the migration in schema_migrations).

        Examples:
          callctl migrate plan
          callctl migrate plan --format json
        """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions
    @Option(name: .long, help: "Result format: text (SQL) or json.") var format: OutputFormat = .text

    func run(in context: CommandContext) async throws {
        try await context.reportingFailures(logging: logging) {
            let session = try context.session(database: database, logging: logging, label: "callctl.migrate")
            let status = try await session.withConnection { try Migrator(connection: $0).status() }
            if !status.changed.isEmpty { throw Failure(MigrationError.changed(status.changed)) }
            switch format {
            case .json:
                try session.output.json(PlanJSON(pending: status.pending.map { PlanJSON.Step(migration: $0) }))
            case .text:
                session.output.line("-- callctl migrate plan: \(status.pending.count) pending migration(s) for \(session.database)")
                for migration in status.pending {
                    session.output.line("\n-- \(migration.label) (checksum \(migration.checksum))")
                    session.output.line("BEGIN;\n\(migration.up)\nCOMMIT;")
                }
            }
        }
    }
}

struct PlanJSON: Encodable {
    struct Step: Encodable {
        let version: Int64
        let name: String
        let checksum: String
        let sql: String

        init(migration: Migration) {
            version = migration.version
            name = migration.name
            checksum = migration.checksum
            sql = migration.up
        }
    }

    let pending: [Step]
}
