import Foundation
import LocalServices
import Testing

@Suite("Connecting like psql", .serialized)
struct ConnectionSettingsTests {
    @Test("a wrong password: exit 69, and the password appears nowhere in the output")
    func wrongPasswordNeverPrinted() async throws {
        let server = try TestServer.get()
        let secret = "Wr0ng-Pa55word-\(UInt32.random(in: 0...UInt32.max))"
        let url = "postgresql://postgres:\(secret)@127.0.0.1:\(server.port)/postgres"
        for format in ["human", "json"] {
            let outcome = await InProcess.run(["migrate", "status", "--database-url", url, "--log-format", format])
            #expect(outcome.status == 69)
            #expect(outcome.standardError.contains("password authentication failed"))
            #expect(!outcome.output.contains(secret))
        }
    }

    @Test("nothing configured: PG* variables and a .pgpass file are used exactly as psql does")
    func libpqDefaults() throws {
        let database = try TestDatabase()
        try withScratchDirectory("pgpass") { directory in
            let pgpass = directory.appendingPathComponent("pgpass").path
            try "127.0.0.1:\(database.server.port):*:postgres:\(database.server.password)\n".write(toFile: pgpass, atomically: true, encoding: .utf8)
            chmod(pgpass, 0o600)
            let outcome = try CLI.run(["migrate", "up"], environment: [
                "PGHOST": "127.0.0.1", "PGPORT": "\(database.server.port)", "PGUSER": "postgres",
                "PGDATABASE": database.name, "PGPASSFILE": pgpass,
            ])
            #expect(outcome.status == 0, "\(outcome.output)")
            #expect(!outcome.output.contains(database.server.password))
        }
    }

    @Test("Laravel's DB_* variables from --env-file; DATABASE_URL in the real environment wins")
    func laravelEnvFile() async throws {
        let database = try TestDatabase()
        try await withScratchDirectory("callctl-env") { directory in
            let envFile = directory.appendingPathComponent(".env").path
            try """
            APP_NAME=Clinic
            DB_CONNECTION=pgsql
            DB_HOST=127.0.0.1
            DB_PORT=\(database.server.port)
            DB_DATABASE=\(database.name)
            DB_USERNAME=postgres
            DB_PASSWORD="\(database.server.password)"
            """.write(toFile: envFile, atomically: true, encoding: .utf8)
            let fromFile = await InProcess.run(["migrate", "up", "--env-file", envFile])
            #expect(fromFile.status == 0, "\(fromFile.output)")
            let overridden = await InProcess.run(["migrate", "status", "--env-file", envFile], environment: ["DATABASE_URL": "host=/nowhere port=1"])
            #expect(overridden.status == 69)
            #expect(overridden.standardError.contains("(from DATABASE_URL)"))
        }
    }

    @Test("configuration mistakes exit 78 with the fix", arguments: [
        (["--env-file", "/nonexistent/.env"], "does not exist"),
        (["--database-url", "postgresql://u@h:notaport/db"], "port"),
    ])
    func configurationErrors(arguments: [String], fragment: String) async throws {
        let outcome = await InProcess.run(["migrate", "status"] + arguments)
        #expect(outcome.status == 78, "\(outcome.output)")
        #expect(outcome.standardError.contains(fragment))
    }

    @Test("--version and --help with examples on every migrate command")
    func helpAndVersion() async throws {
        #expect(await InProcess.run(["--version"]).standardOutput.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").count == 3)
        for command in [["migrate", "up"], ["migrate", "down"], ["migrate", "status"], ["migrate", "plan"], ["demo"]] {
            let help = await InProcess.run(command + ["--help"])
            #expect(help.status == 0)
            #expect(help.standardOutput.contains("Examples:"), "\(command)")
        }
    }
}
