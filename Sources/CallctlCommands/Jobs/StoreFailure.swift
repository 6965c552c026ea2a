import Postgres

/// Failure classification for the jobs and `config`, on top of ``Failure``.
enum StoreFailure {
    /// A missing table or column means the schema was never migrated here (exit 78, with the
    /// fix); everything else is classified by ``Failure``.
    static func classify(_ error: any Error) -> Failure {
        if let database = error as? PostgresError, let state = database.sqlState, ["42P01", "42703"].contains(state) {
            return Failure(message: "the database lacks callctl's schema (\(database.message)); run `callctl migrate up` first",
                           exitCode: Failure.configuration)
        }
        return Failure(error)
    }
}
