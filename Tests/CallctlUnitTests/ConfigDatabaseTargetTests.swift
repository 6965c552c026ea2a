import CallctlConfig
import Postgres
import Testing

@Suite("Database target precedence")
struct ConfigDatabaseTargetTests {
    private func resolve(flag: String? = nil, _ process: [String: String], file: String = "") throws -> ConnectionSettings {
        let environment = Environment(process: process, envFile: try EnvFile(parsing: file), envFilePath: file.isEmpty ? nil : "/app/.env")
        return try DatabaseTarget.resolve(flag: flag, environment: environment)
    }

    @Test("--database-url beats DATABASE_URL beats DB_URL beats DB_*")
    func precedence() throws {
        let all = ["DATABASE_URL": "postgresql://a@h1/one", "DB_URL": "postgresql://b@h2/two", "DB_HOST": "h3", "DB_DATABASE": "three"]
        #expect(try resolve(flag: "postgresql://f@h0/zero", all).visibleOptions["dbname"] == "zero")
        #expect(try resolve(all).visibleOptions["dbname"] == "one")
        #expect(try resolve(all.filter { $0.key != "DATABASE_URL" }).visibleOptions["dbname"] == "two")
        let laravel = try resolve(["DB_HOST": "h3", "DB_DATABASE": "three", "DB_USERNAME": "app", "DB_PASSWORD": "s3cr3t!"])
        #expect(laravel.visibleOptions["host"] == "h3")
        #expect(laravel.visibleOptions["user"] == "app")
        #expect(laravel.visibleOptions["password"] == nil)
        #expect(!laravel.description.contains("s3cr3t"))
    }

    @Test("DB_* may come from the .env file; the source says so")
    func fromEnvFile() throws {
        let settings = try resolve([:], file: "DB_HOST=db\nDB_PORT=6432\nDB_DATABASE=clinic\nDB_USERNAME=app\nDB_PASSWORD=\"it's\"")
        #expect(settings.visibleOptions["port"] == "6432")
        #expect(settings.description.contains("/app/.env"))
        #expect(try resolve([:], file: "DATABASE_URL=postgresql://x@y/z").source == "DATABASE_URL in /app/.env")
    }

    @Test("a password with quotes and backslashes survives keyword quoting")
    func quoting() throws {
        let settings = try resolve(["DB_HOST": "h", "DB_PASSWORD": "a'b\\c d"])
        #expect(settings.visibleOptions["host"] == "h")
    }

    @Test("nothing configured means libpq defaults")
    func defaults() throws {
        #expect(try resolve([:]).description == "libpq defaults (PG* variables, ~/.pgpass, service file)")
    }

    @Test("a MySQL Laravel app is refused with the fix")
    func refusesMySQL() {
        #expect {
            try resolve(["DB_CONNECTION": "mysql", "DB_HOST": "h"])
        } throws: { error in
            "\(error)".contains("DB_CONNECTION=pgsql")
        }
    }

    @Test("libpq's parse errors quote the piece they could not read: no piece of the password is shown, the fix is", arguments: [
        ("postgres://u:S3cr%t-hunter2@127.0.0.1:1/db", "%25"),
        ("postgresql://u:pa%zzhunter2@h/db", "%XX"),
        ("postgresql://u:hunter2%00x@h/db", "percent-encode"),
        ("postgresql://u:hunter2@[::1/db", "percent-encode"),
        ("host=h password=S3cr hunter2", "single quotes"),
        ("host=h password='S3cr hunter2", "single quotes"),
        ("host=h S3cr=hunter2", "single quotes"),
    ])
    func parseErrorsHideThePassword(url: String, fix: String) {
        #expect {
            try resolve(flag: url, [:])
        } throws: { error in
            let text = "\(error)"
            return text.contains("--database-url") && text.contains(fix) && !text.contains("hunter2") && !text.contains("S3cr")
        }
        #expect {
            try resolve(["DATABASE_URL": url])
        } throws: { error in
            let text = "\(error)"
            return text.contains("DATABASE_URL") && !text.contains("hunter2") && !text.contains("S3cr")
        }
    }

    @Test("a malformed URL is a configuration error that does not echo the password")
    func malformedURL() {
        #expect {
            try resolve(flag: "postgresql://u:hunter22@h/db?bogus=1", [:])
        } throws: { error in
            let text = "\(error)"
            return text.contains("--database-url") && !text.contains("hunter22")
        }
    }
}
