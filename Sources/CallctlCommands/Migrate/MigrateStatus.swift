import ArgumentParser
import CallStore
import Foundation
import Postgres

/// `callctl migrate status`: applied and pending migrations.
struct MigrateStatus: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "List applied and pending migrations with their timestamps.",
        discussion: """
        Exits 1 when an applied migration was changed or the database has versions this \
        callctl does not know; 0 otherwise (pending migrations are listed, not an error).

        Examples:
          callctl migrate status
          callctl migrate status --format json | jq '.pending | length'
        """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions
    @Option(name: .long, help: "Result format: text or json.") var format: OutputFormat = .text

    func run(in context: CommandContext) async throws {
        try await context.reportingFailures(logging: logging) {
            let session = try context.session(database: database, logging: logging, label: "callctl.migrate")
            let status = try await session.withConnection { try Migrator(connection: $0).status() }
            switch format {
            case .json: try session.output.json(StatusJSON(status))
            case .text: render(status, database: session.database, output: session.output)
            }
            if !status.changed.isEmpty { throw Failure(MigrationError.changed(status.changed)) }
            if let unknown = status.unknown.first { throw Failure(MigrationError.unknownVersion(unknown)) }
        }
    }

    private func render(_ status: MigrationStatus, database: ConnectionSettings, output: Output) {
        output.line("database: \(database)")
        var table = TextTable("VERSION", "NAME", "STATE", "APPLIED AT", "MS")
        let changedVersions = Set(status.changed.map(\.applied.version))
        for row in status.applied {
            let state = changedVersions.contains(row.version) ? "CHANGED" : status.unknown.contains(row) ? "unknown" : "applied"
            table.add(Migration.paddedVersion(row.version), row.name, state,
                      PGTimestamp.formatSeconds(row.appliedAt), "\(row.executionMilliseconds)")
        }
        for migration in status.pending {
            table.add(Migration.paddedVersion(migration.version), migration.name, "pending", "-", "-")
        }
        table.render().forEach(output.line)
        let summary = "\(status.applied.count) applied, \(status.pending.count) pending"
        output.line(status.pending.isEmpty ? "\(summary); schema is current at version \(status.currentVersion)"
                                           : "\(summary); run `callctl migrate up` to apply")
    }
}

struct AppliedJSON: Encodable {
    let version: Int64
    let name: String
    let checksum: String
    let appliedAt: Date
    let executionMs: Int

    init(_ row: AppliedMigration) {
        version = row.version
        name = row.name
        checksum = row.checksum
        appliedAt = row.appliedAt
        executionMs = row.executionMilliseconds
    }

    enum CodingKeys: String, CodingKey {
        case version, name, checksum
        case appliedAt = "applied_at"
        case executionMs = "execution_ms"
    }
}

struct PendingJSON: Encodable {
    let version: Int64
    let name: String
    let checksum: String

    init(_ migration: Migration) {
        version = migration.version
        name = migration.name
        checksum = migration.checksum
    }
}

struct StatusJSON: Encodable {
    let applied: [AppliedJSON]
    let pending: [PendingJSON]
    let changed: [Int64]
    let unknown: [Int64]
    let currentVersion: Int64
    let latestVersion: Int64

    init(_ status: MigrationStatus) {
        applied = status.applied.map(AppliedJSON.init)
        pending = status.pending.map(PendingJSON.init)
        changed = status.changed.map(\.applied.version)
        unknown = status.unknown.map(\.version)
        currentVersion = status.currentVersion
        latestVersion = MigrationCatalog.latestVersion
    }

    enum CodingKeys: String, CodingKey {
        case applied, pending, changed, unknown
        case currentVersion = "current_version"
        case latestVersion = "latest_version"
    }
}
