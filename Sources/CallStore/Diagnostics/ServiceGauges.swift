import CallDomain
import Postgres

/// What `/metrics` reads from the database at each scrape, so every daemon reports the same
/// truth: open call sessions by state and the outbox backlog.
public struct ServiceGauges: Sendable, Equatable {
    /// Sessions not ended, for each of `ringing`, `accepted` and `in_call` (0 when none).
    public let openCalls: [CallState: Int]
    /// Outbox rows not yet published.
    public let backlog: Int
    /// Age of the oldest of them in seconds; 0 when there is none.
    public let oldestPendingAgeSeconds: Double

    static let openCallsQuery = "SELECT state, count(*) AS n FROM call_sessions WHERE state <> 'ended' GROUP BY state"

    /// Reads the gauges (two index-backed queries).
    public static func read(on connection: PGConnection) throws -> ServiceGauges {
        var open: [CallState: Int] = [.ringing: 0, .accepted: 0, .inCall: 0]
        for row in try connection.query(openCallsQuery).rows {
            if let state = CallState(rawValue: try row.decode(String.self, "state")) {
                open[state] = Int(try row.decode(Int64.self, "n"))
            }
        }
        let backlog = try OutboxStatusQuery.backlog(on: connection)
        return ServiceGauges(openCalls: open, backlog: backlog.rows, oldestPendingAgeSeconds: backlog.oldestAgeSeconds ?? 0)
    }
}
