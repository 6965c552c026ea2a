import ArgumentParser
import CallStore

/// `callctl migrate down --to VERSION`: reverts newer migrations.
struct MigrateDown: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "down",
        abstract: "Revert applied migrations newer than --to, newest first, each in its own transaction.",
        discussion: """
        Drops callctl's own tables and the application tables only if callctl created them; \
        tables the Laravel app already had are left in place.

        Examples:
          callctl migrate down --to 4
          callctl migrate down --to 0     # revert everything callctl applied
        """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions
    @Option(name: .long, help: ArgumentHelp("Version to return to (0 reverts all).", valueName: "version")) var to: Int64
    @Option(name: .long, help: "Result format: text or json.") var format: OutputFormat = .text

    func validate() throws {
        guard to >= 0 else { throw ValidationError("--to must be 0 or a migration version; got \(to)") }
    }

    func run(in context: CommandContext) async throws {
        try await context.reportingFailures(logging: logging) {
            let session = try context.session(database: database, logging: logging, label: "callctl.migrate")
            let (format, target) = (format, to)
            let (reverted, current) = try await session.withConnection { connection in
                let migrator = Migrator(connection: connection)
                let reverted = try migrator.down(to: target) { migration in
                    session.logger.info("reverted migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
                    if format == .text { session.output.line("reverted \(migration.label)") }
                }
                return (reverted, try migrator.status().currentVersion)
            }
            switch format {
            case .json:
                try session.output.json(MigrateDownReport(reverted: reverted.map(PendingJSON.init), currentVersion: current))
            case .text:
                session.output.line(reverted.isEmpty ? "nothing to revert; schema is at version \(current)"
                                                     : "reverted \(reverted.count); schema is at version \(current)")
            }
        }
    }
}

struct MigrateDownReport: Encodable {
    let reverted: [PendingJSON]
    let currentVersion: Int64

    enum CodingKeys: String, CodingKey {
        case reverted
        case currentVersion = "current_version"
    }
}
