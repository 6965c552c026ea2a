import CallDomain
import Foundation
import Postgres

/// Open call sessions in one state, and how many of them outlived the reaper's timeout.
public struct OpenCallCount: Sendable, Equatable {
    /// `ringing`, `accepted` or `in_call`.
    public let state: CallState
    /// Sessions in that state.
    public let open: Int
    /// Of those, sessions older than the state's timeout (``CallDomain/ReaperRule``).
    public let zombies: Int
    /// The timeout of that state in seconds, as read from `settings`.
    public let timeoutSeconds: Int
}

/// What `callctl diagnose db` reports about a database that has callctl's schema.
public struct DatabaseHealth: Sendable {
    /// The migrations compared with this binary's catalog.
    public let migrations: MigrationStatus
    /// The outbox figures; nil when migrations are pending (the tables may lack columns).
    public let outbox: OutboxStatus?
    /// Open sessions by state, every open state listed; empty when migrations are pending.
    public let openCalls: [OpenCallCount]
    /// Appointments whose access window closed more than the allowed lag ago and that
    /// `jobs no-show` has not marked yet; 0 when migrations are pending.
    public let overdueNoShows: Int
    /// The latest `no_show` audit row's `at`.
    public let lastNoShowAt: Date?
    /// The latest `reaped` or `timeout` audit row's `at`.
    public let lastReapAt: Date?

    /// True when nothing was ever migrated: the database lacks callctl's schema.
    public var schemaMissing: Bool { migrations.applied.isEmpty }
}

/// Reads ``DatabaseHealth`` with parameterized, index-backed queries, read-only.
public enum DatabaseHealthQuery {
    static let openCalls = """
        SELECT state, count(*) AS open,
               count(*) FILTER (WHERE (state = 'ringing' AND requested_at < $1)
                                   OR (state = 'accepted' AND coalesce(accepted_at, requested_at) < $2)
                                   OR (state = 'in_call'
                                       AND coalesce(last_heartbeat_at, connected_at, accepted_at, requested_at) < $3)) AS zombies
        FROM call_sessions WHERE state <> 'ended'
        GROUP BY state
        """

    static let overdueNoShows = """
        SELECT count(*) AS n FROM appointments
        WHERE status = 'scheduled' AND started_at IS NULL
          AND scheduled_at < $1 AND scheduled_at + make_interval(mins => duration_minutes) < $1
        """

    static let lastJobActivity = """
        SELECT (SELECT max(at) FROM appointment_call_events WHERE type = $1) AS last_no_show,
               (SELECT max(at) FROM appointment_call_events WHERE type IN ($2, $3)) AS last_reap
        """

    /// Reads the health figures as of `now`. Appointments count as overdue for `no_show` once
    /// their window closed more than `allowedLag` seconds ago (a job running every minute
    /// leaves a few due between runs). With pending migrations only the migrations are read.
    public static func read(on connection: PGConnection, now: Date, allowedLag: Double) throws -> DatabaseHealth {
        let migrations = try Migrator(connection: connection).status()
        guard migrations.pending.isEmpty else {
            return DatabaseHealth(migrations: migrations, outbox: nil, openCalls: [], overdueNoShows: 0,
                                  lastNoShowAt: nil, lastReapAt: nil)
        }
        let outbox = try OutboxStatusQuery.read(on: connection)
        let settings = try SettingsStore(connection: connection).resolve().settings
        return try connection.transaction { connection in
            try connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            let calls = try openCallCounts(on: connection, settings: settings, now: now)
            let noShowCutoff = NoShowRule.cutoff(now: now.addingTimeInterval(-allowedLag), settings: settings)
            let overdue = try connection.query(overdueNoShows, noShowCutoff).first?.decode(Int64.self, "n") ?? 0
            let jobs = try connection.query(lastJobActivity, AuditEventType.noShow.rawValue,
                                            AuditEventType.reaped.rawValue, AuditEventType.timeout.rawValue).first
            return DatabaseHealth(migrations: migrations, outbox: outbox, openCalls: calls, overdueNoShows: Int(overdue),
                                  lastNoShowAt: try jobs?.decode(Date?.self, "last_no_show"),
                                  lastReapAt: try jobs?.decode(Date?.self, "last_reap"))
        }
    }

    private static func openCallCounts(on connection: PGConnection, settings: CallSettings, now: Date) throws -> [OpenCallCount] {
        let states: [CallState] = [.ringing, .accepted, .inCall]
        let cutoffs = states.map { ReaperRule.cutoff(for: $0, settings: settings, now: now) ?? now }
        var counts: [String: (open: Int, zombies: Int)] = [:]
        for row in try connection.query(openCalls, cutoffs[0], cutoffs[1], cutoffs[2]).rows {
            counts[try row.decode(String.self, "state")] = (Int(try row.decode(Int64.self, "open")),
                                                             Int(try row.decode(Int64.self, "zombies")))
        }
        let timeouts = [settings.ringingTimeoutSeconds, settings.connectTimeoutSeconds, settings.heartbeatTimeoutSeconds]
        return zip(states, timeouts).map { state, timeout in
            OpenCallCount(state: state, open: counts[state.rawValue]?.open ?? 0,
                          zombies: counts[state.rawValue]?.zombies ?? 0, timeoutSeconds: timeout)
        }
    }
}
