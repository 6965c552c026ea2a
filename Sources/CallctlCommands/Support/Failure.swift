import CallStore
import CallctlConfig
import LocalServices
import Postgres

/// An error with the sentence to show and the exit code to leave with.
struct Failure: Error, CustomStringConvertible {
    /// What failed and what to do next.
    let message: String
    /// The process exit code.
    let exitCode: Int32

    /// sysexits codes docs/design.md lists.
    static let failed: Int32 = 1
    static let unavailable: Int32 = 69
    static let configuration: Int32 = 78

    init(message: String, exitCode: Int32) {
        self.message = message
        self.exitCode = exitCode
    }

    /// Classifies any error thrown by the modules below.
    init(_ error: any Error) {
        switch error {
        case let failure as Failure:
            self = failure
        case let config as ConfigError:
            self.init(message: config.description, exitCode: Self.configuration)
        case let rules as ChannelRulesLoadError:
            self.init(message: rules.description, exitCode: Self.configuration)
        case let database as PostgresError where ["42P01", "42703"].contains(database.sqlState ?? ""):
            self.init(message: "the database lacks callctl's schema (\(database.message)); run `callctl migrate up` first",
                      exitCode: Self.configuration)
        case let database as PostgresError where database.kind == .settings:
            self.init(message: database.message + "; fix the connection settings", exitCode: Self.configuration)
        case let database as PostgresError where database.isUnavailable:
            self.init(message: database.description + " — check that PostgreSQL is running and reachable and that "
                      + "--database-url / DATABASE_URL / DB_* point at it; `pg_isready` tells quickly.",
                      exitCode: Self.unavailable)
        case let database as PostgresError:
            self.init(message: "the database refused a statement: \(database)", exitCode: Self.failed)
        case let migration as MigrationError:
            self.init(message: migration.description, exitCode: Self.failed)
        case let local as LocalServiceError:
            self.init(message: local.description, exitCode: Self.unavailable)
        default:
            self.init(message: "\(error)", exitCode: Self.failed)
        }
    }

    var description: String { message }
}
