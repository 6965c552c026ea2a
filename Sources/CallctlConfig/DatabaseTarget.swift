import Postgres

/// Chooses the database to use, in this order: `--database-url`, `DATABASE_URL`, Laravel's
/// `DB_URL`, Laravel's `DB_HOST` `DB_PORT` `DB_DATABASE` `DB_USERNAME` `DB_PASSWORD`, and
/// finally libpq's own defaults (PG* variables, `~/.pgpass`, service files) as psql does.
public enum DatabaseTarget {
    /// The Laravel keys and the libpq keywords they map to.
    static let laravelKeys: [(variable: String, keyword: String)] = [
        ("DB_HOST", "host"), ("DB_PORT", "port"), ("DB_DATABASE", "dbname"),
        ("DB_USERNAME", "user"), ("DB_PASSWORD", "password"),
    ]

    /// Resolves the connection settings.
    /// - Throws: `ConfigError` when the configured database is not PostgreSQL or cannot be parsed.
    public static func resolve(flag: String?, environment: Environment) throws(ConfigError) -> ConnectionSettings {
        do {
            if let flag, !flag.isEmpty {
                return try ConnectionSettings(flag, source: "--database-url")
            }
            for name in ["DATABASE_URL", "DB_URL"] {
                if let url = environment[name] {
                    return try ConnectionSettings(url, source: environment.origin(of: name))
                }
            }
            let given = laravelKeys.compactMap { key in environment[key.variable].map { (key.keyword, $0) } }
            if !given.isEmpty {
                if let driver = environment["DB_CONNECTION"], !["pgsql", "postgres", "postgresql"].contains(driver) {
                    throw ConfigError("\(environment.origin(of: "DB_CONNECTION")) is '\(driver)', but callctl needs PostgreSQL; set DB_CONNECTION=pgsql or pass --database-url")
                }
                let source = "Laravel DB_* variables" + (environment.envFilePath.map { " (environment and \($0))" } ?? "")
                return try ConnectionSettings(keywords: given, source: source)
            }
            return try ConnectionSettings("", source: "libpq defaults (PG* variables, ~/.pgpass, service file)")
        } catch let error as PostgresError {
            throw ConfigError(error.message + "; check the URL's form: postgresql://user@host:5432/dbname?sslmode=require")
        } catch let error as ConfigError {
            throw error
        } catch {
            throw ConfigError("\(error)")
        }
    }
}
