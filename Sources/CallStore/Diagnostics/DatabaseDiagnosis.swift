import Foundation
import Postgres

/// `diagnose db`'s whole finding: the figures (nil when the server does not answer) and the verdict.
public struct DatabaseDiagnosis: Sendable {
    /// What was read; nil when the database is unreachable.
    public let health: DatabaseHealth?
    /// The conclusion.
    public let verdict: DatabaseVerdict

    /// Connects (off the cooperative pool), reads ``DatabaseHealth`` as of `now` and judges it
    /// with the limits ``DatabaseVerdict`` takes. An unreachable server is a verdict, not an
    /// error; other failures are thrown.
    public static func run(settings: ConnectionSettings, now: Date, maxBacklogAge: Double,
                           maxJobGap: Double) async throws -> DatabaseDiagnosis {
        do {
            let health = try await PGConnection.withNew(settings: settings) {
                try DatabaseHealthQuery.read(on: $0, now: now, allowedLag: maxBacklogAge)
            }
            return DatabaseDiagnosis(health: health, verdict: DatabaseVerdict(health, maxBacklogAge: maxBacklogAge, maxJobGap: maxJobGap))
        } catch let error as PostgresError where error.isUnavailable {
            return DatabaseDiagnosis(health: nil, verdict: DatabaseVerdict(unreachable: error))
        }
    }
}
