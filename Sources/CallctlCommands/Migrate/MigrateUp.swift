import ArgumentParser
import CallStore
import Logging

/// `callctl migrate up`: applies every pending migration.
struct MigrateUp: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Apply every pending migration, each in its own transaction.",
        discussion: """
        Refuses to run, changing nothing, when an applied migration was edited since.
        Safe to run from several deploys at once.

        Examples:
          callctl migrate up
          DATABASE_URL=postgresql://app@db/app callctl migrate up --format json
        """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions
    @Option(name: .long, help: "Result format: text or json.") var format: OutputFormat = .text

    func run(in context: CommandContext) async throws {
        try await context.reportingFailures(logging: logging) {
            let session = try context.session(database: database, logging: logging, label: "callctl.migrate")
            let format = format
            let (applied, status) = try await session.withConnection { connection in
                let migrator = Migrator(connection: connection)
                let applied = try migrator.up { migration in
                    session.logger.info("applied migration", metadata: [
                        "version": "\(migration.version)", "name": "\(migration.name)", "ms": "\(migration.executionMilliseconds)",
                    ])
                    if format == .text {
                        session.output.line("applied \(Migration.label(version: migration.version, name: migration.name)) in \(migration.executionMilliseconds) ms")
                    }
                }
                return (applied, try migrator.status())
            }
            switch format {
            case .json:
                try session.output.json(MigrateUpReport(applied: applied.map(AppliedJSON.init), currentVersion: status.currentVersion))
            case .text:
                session.output.line(applied.isEmpty
                    ? "schema is current at version \(status.currentVersion); nothing to apply"
                    : "applied \(applied.count) migration\(applied.count == 1 ? "" : "s"); schema is at version \(status.currentVersion)")
            }
        }
    }
}

struct MigrateUpReport: Encodable {
    let applied: [AppliedJSON]
    let currentVersion: Int64

    enum CodingKeys: String, CodingKey {
        case applied
        case currentVersion = "current_version"
    }
}
