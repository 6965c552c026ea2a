import ArgumentParser
import CallStore
import CallctlConfig
import Foundation
import LocalServices
import Postgres

/// `callctl demo`: the system end to end on a throwaway local PostgreSQL.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run callctl end to end on a throwaway local PostgreSQL.",
        discussion: """
        With no --database-url or DATABASE_URL, starts a PostgreSQL of its own (initdb on a \
        temporary directory, a free loopback port and a unix socket; as the postgres user when \
        run as root), migrates it, shows the migration status, and removes everything at the \
        end, also on Ctrl-C. Today the demo covers the schema; each feature joins it as it lands.

        Examples:
          callctl demo
          callctl demo --keep        # leave the database running and print how to connect
        """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions
    @Flag(name: .long, help: "Leave the throwaway database running and print how to connect.") var keep = false

    func run() async throws {
        try await runReportingFailures(logging: logging) {
            let output = Output.standard
            let environment = try database.environment()
            var server: ThrowawayPostgres?
            let settings: ConnectionSettings
            if database.databaseURL != nil || environment["DATABASE_URL"] != nil {
                settings = try DatabaseTarget.resolve(flag: database.databaseURL, environment: environment)
                output.line("using the configured database: \(settings)")
            } else {
                let started = try step("start a throwaway PostgreSQL", output) {
                    let postgres = try ThrowawayPostgres(stopWhenParentExits: !keep)
                    try postgres.createDatabase("callctl_demo")
                    return postgres
                }
                server = started
                settings = try ConnectionSettings(started.connectionString(database: "callctl_demo"), source: "callctl demo")
            }
            defer { if !keep { server?.stop() } }
            let connection = try PGConnection(settings: settings)
            let migrator = Migrator(connection: connection)
            let applied = try step("migrate the schema", output) { try migrator.up() }
            output.line("    applied \(applied.count) migration(s): " + applied.map { Migration.label(version: $0.version, name: $0.name) }.joined(separator: ", "))
            let status = try step("check the migration status", output) { try migrator.status() }
            let tables = try connection.query("""
                SELECT count(*) AS tables FROM pg_tables WHERE schemaname = current_schema()
                """).first?.decode(Int64.self, "tables") ?? 0
            output.line("    schema at version \(status.currentVersion) of \(MigrationCatalog.latestVersion); \(tables) tables; \(status.pending.count) pending")
            connection.close()
            if keep, let server {
                output.line("\nthe database keeps running. Connect with:")
                output.line("  psql \"\(server.connectionString(database: "callctl_demo"))\"")
                output.line("  export DATABASE_URL=\"\(server.connectionString(database: "callctl_demo"))\"")
                output.line("stop it with: pg_ctl -D \(server.directory)/data stop\(LocalHost.isRoot ? "   (as the postgres user)" : "")")
            } else if server != nil {
                output.line("\nthe throwaway database is removed; run with --keep to explore it")
            }
        }
    }

    /// Runs one demo step, printing its name, outcome and duration.
    private func step<T>(_ name: String, _ output: Output, _ body: () throws -> T) throws -> T {
        let started = ContinuousClock.now
        do {
            let value = try body()
            output.line("ok    \(name) (\(milliseconds(since: started)) ms)")
            return value
        } catch {
            output.line("FAIL  \(name) (\(milliseconds(since: started)) ms)")
            throw error
        }
    }

    private func milliseconds(since start: ContinuousClock.Instant) -> Int64 {
        Int64((ContinuousClock.now - start) / .milliseconds(1))
    }
}
