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
    /// How long past its timeout the oldest zombie is, in seconds; nil without zombies.
    public let oldestOverdueSeconds: Double?
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
    /// Seconds since the window of the oldest of those closed; nil when there is none.
    public let oldestOverdueNoShowSeconds: Double?
    /// The runs of `jobs no-show` (``NoShowJob``); none read when migrations are pending.
    public let noShowRuns: JobRunHistory
    /// The runs of `jobs reap` (``ReapJob``); none read when migrations are pending.
    public let reapRuns: JobRunHistory
    /// The recordings past their retention and the storage's refusals; ``RecordingPurgeHealth/none``
    /// when migrations are pending.
    public var recordings = RecordingPurgeHealth.none
    /// The runs of `jobs purge-recordings` (``PurgeRecordingsJob``); none read when migrations are pending.
    public var purgeRuns = JobRunHistory(job: PurgeRecordingsJob.name)
    /// Each ICE server's last recorded verdict (`probe ice --record`), by URI; empty when none was recorded.
    public var iceServers: [IceServerHealth] = []
    /// The instant the figures are as of.
    public var readAt = Date()

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
                                       AND coalesce(last_heartbeat_at, connected_at, accepted_at, requested_at) < $3)) AS zombies,
               extract(epoch FROM max(CASE state
                   WHEN 'ringing' THEN $1 - requested_at
                   WHEN 'accepted' THEN $2 - coalesce(accepted_at, requested_at)
                   ELSE $3 - coalesce(last_heartbeat_at, connected_at, accepted_at, requested_at) END))::float8 AS overdue
        FROM call_sessions WHERE state <> 'ended'
        GROUP BY state
        """

    static let overdueNoShows = """
        SELECT count(*) AS n,
               extract(epoch FROM $2 - min(scheduled_at + make_interval(mins => duration_minutes)))::float8 AS oldest_age
        FROM appointments
        WHERE status = 'scheduled' AND started_at IS NULL
          AND scheduled_at < $1 AND scheduled_at + make_interval(mins => duration_minutes) < $1
        """

    /// Reads the health figures as of `now`. Appointments count as overdue for `no_show` once
    /// their window closed more than `allowedLag` seconds ago (a job running every minute
    /// leaves a few due between runs); their age is counted from the window's close. The jobs'
    /// runs come from `job_runs`. Recordings count as overdue once due for longer than
    /// ``RecordingPurgeHealth/grace``. With pending migrations only the migrations are read.
    public static func read(on connection: PGConnection, now: Date, allowedLag: Double) throws -> DatabaseHealth {
        let migrations = try Migrator(connection: connection).status()
        guard migrations.pending.isEmpty else {
            return DatabaseHealth(migrations: migrations, outbox: nil, openCalls: [], overdueNoShows: 0,
                                  oldestOverdueNoShowSeconds: nil, noShowRuns: JobRunHistory(job: NoShowJob.name),
                                  reapRuns: JobRunHistory(job: ReapJob.name))
        }
        let outbox = try OutboxStatusQuery.read(on: connection)
        let settings = try SettingsStore(connection: connection).resolve().settings
        return try connection.transaction { connection in
            try connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            let calls = try openCallCounts(on: connection, settings: settings, now: now)
            let noShowCutoff = NoShowRule.cutoff(now: now.addingTimeInterval(-allowedLag), settings: settings)
            let overdue = try connection.query(overdueNoShows, noShowCutoff, NoShowRule.cutoff(now: now, settings: settings)).first
            let runs = JobRunStore(connection: connection)
            var health = DatabaseHealth(migrations: migrations, outbox: outbox, openCalls: calls,
                                        overdueNoShows: Int(try overdue?.decode(Int64.self, "n") ?? 0),
                                        oldestOverdueNoShowSeconds: try overdue?.decode(Double?.self, "oldest_age"),
                                        noShowRuns: try runs.history(of: NoShowJob.name), reapRuns: try runs.history(of: ReapJob.name))
            health.recordings = try RecordingPurgeHealth.read(on: connection, now: now, settings: settings)
            health.purgeRuns = try runs.history(of: PurgeRecordingsJob.name)
            health.iceServers = try IceHealthStore.read(on: connection).values.sorted { $0.uri < $1.uri }
            health.readAt = now
            return health
        }
    }

    private static func openCallCounts(on connection: PGConnection, settings: CallSettings, now: Date) throws -> [OpenCallCount] {
        let states: [CallState] = [.ringing, .accepted, .inCall]
        let cutoffs = states.map { ReaperRule.cutoff(for: $0, settings: settings, now: now) ?? now }
        var counts: [String: (open: Int, zombies: Int, overdue: Double?)] = [:]
        for row in try connection.query(openCalls, cutoffs[0], cutoffs[1], cutoffs[2]).rows {
            let zombies = Int(try row.decode(Int64.self, "zombies"))
            counts[try row.decode(String.self, "state")] = (Int(try row.decode(Int64.self, "open")), zombies,
                                                             zombies > 0 ? try row.decode(Double?.self, "overdue") : nil)
        }
        let timeouts = [settings.ringingTimeoutSeconds, settings.connectTimeoutSeconds, settings.heartbeatTimeoutSeconds]
        return zip(states, timeouts).map { state, timeout in
            OpenCallCount(state: state, open: counts[state.rawValue]?.open ?? 0,
                          zombies: counts[state.rawValue]?.zombies ?? 0, timeoutSeconds: timeout,
                          oldestOverdueSeconds: counts[state.rawValue]?.overdue)
        }
    }
}
