import CallDomain
import CallStore
import Foundation
import Postgres

/// `diagnose db --format json`: `status`, `verdict`, `exit_code`, `database`, `reachable`,
/// `max_backlog_age_seconds`, `max_job_gap_seconds`,
/// `migrations` (`current_version`, `latest_version`, `pending`, `changed`, `unknown`),
/// `outbox` (`backlog`, `oldest_pending_age_seconds`, `not_relayed`, `failing_count`,
/// `external_target`, `refused_error`), `open_calls` (per state: `open`, `zombies`,
/// `timeout_seconds`, `oldest_overdue_seconds`), `overdue_no_shows`,
/// `overdue_no_show_age_seconds`, `recordings` (``DiagnoseDBRecordings``),
/// `jobs` (``DiagnoseDBJobReport`` for `no_show`, `reap` and `purge_recordings`),
/// `ice_servers` (``DiagnoseDBIceServer``, each recorded server);
/// what was not read is null.
struct DiagnoseDBReport: Encodable {
    let database: String
    let health: DatabaseHealth?
    let maxBacklogAge: Double
    let maxJobGap: Double
    let verdict: DatabaseVerdict

    private enum Keys: String, CodingKey {
        case status, verdict, database, reachable, migrations, outbox, jobs, iceServers = "ice_servers"
        case exitCode = "exit_code", maxBacklogAge = "max_backlog_age_seconds", maxJobGap = "max_job_gap_seconds"
        case recordings
        case openCalls = "open_calls", overdueNoShows = "overdue_no_shows", overdueNoShowAge = "overdue_no_show_age_seconds"
    }

    private struct Dynamic: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    private struct OpenCalls: Encodable {
        let count: OpenCallCount

        private enum Keys: String, CodingKey {
            case open, zombies, timeoutSeconds = "timeout_seconds", oldestOverdueSeconds = "oldest_overdue_seconds"
        }

        func encode(to encoder: any Encoder) throws {
            var object = encoder.container(keyedBy: Keys.self)
            try object.encode(count.open, forKey: .open)
            try object.encode(count.zombies, forKey: .zombies)
            try object.encode(count.timeoutSeconds, forKey: .timeoutSeconds)
            try object.encode(count.oldestOverdueSeconds.map(milliRounded), forKey: .oldestOverdueSeconds)
        }
    }

    func encode(to encoder: any Encoder) throws {
        var object = encoder.container(keyedBy: Keys.self)
        try object.encode(verdict.status.rawValue, forKey: .status)
        try object.encode(verdict.message, forKey: .verdict)
        try object.encode(DiagnoseDB.exitCode(verdict.status), forKey: .exitCode)
        try object.encode(database, forKey: .database)
        try object.encode(health != nil, forKey: .reachable)
        try object.encode(maxBacklogAge, forKey: .maxBacklogAge)
        try object.encode(maxJobGap, forKey: .maxJobGap)
        let readFully = health.map { !$0.schemaMissing && $0.migrations.pending.isEmpty } ?? false
        if let migrations = health?.migrations {
            var nested = object.nestedContainer(keyedBy: Dynamic.self, forKey: .migrations)
            try nested.encode(migrations.currentVersion, forKey: Dynamic(stringValue: "current_version"))
            try nested.encode(MigrationCatalog.latestVersion, forKey: Dynamic(stringValue: "latest_version"))
            try nested.encode(migrations.pending.map(\.version), forKey: Dynamic(stringValue: "pending"))
            try nested.encode(migrations.changed.map(\.applied.version), forKey: Dynamic(stringValue: "changed"))
            try nested.encode(migrations.unknown.map(\.version), forKey: Dynamic(stringValue: "unknown"))
        } else {
            try object.encodeNil(forKey: .migrations)
        }
        if let outbox = health?.outbox {
            var nested = object.nestedContainer(keyedBy: Dynamic.self, forKey: .outbox)
            try nested.encode(outbox.backlog, forKey: Dynamic(stringValue: "backlog"))
            try nested.encode(outbox.oldestPendingAgeSeconds.map(milliRounded), forKey: Dynamic(stringValue: "oldest_pending_age_seconds"))
            try nested.encode(outbox.notRelayed, forKey: Dynamic(stringValue: "not_relayed"))
            try nested.encode(outbox.failingCount, forKey: Dynamic(stringValue: "failing_count"))
            try nested.encode(outbox.destinations.declared, forKey: Dynamic(stringValue: "external_target"))
            try nested.encode(outbox.failing.lazy.compactMap(\.lastError).first, forKey: Dynamic(stringValue: "refused_error"))
        } else {
            try object.encodeNil(forKey: .outbox)
        }
        if let health, readFully {
            var calls = object.nestedContainer(keyedBy: Dynamic.self, forKey: .openCalls)
            for count in health.openCalls {
                try calls.encode(OpenCalls(count: count), forKey: Dynamic(stringValue: count.state.rawValue))
            }
            try object.encode(health.overdueNoShows, forKey: .overdueNoShows)
            try object.encode(health.oldestOverdueNoShowSeconds.map(milliRounded), forKey: .overdueNoShowAge)
            try object.encode(DiagnoseDBRecordings(health: health.recordings), forKey: .recordings)
            var jobs = [health.noShowRuns, health.reapRuns].reduce(into: [String: DiagnoseDBJobReport]()) { jobs, runs in
                jobs[runs.job] = DiagnoseDBJobReport(liveness: JobLiveness(runs, maxGap: maxJobGap))
            }
            jobs[health.purgeRuns.job] = DiagnoseDBJobReport(
                liveness: JobLiveness(health.purgeRuns, maxGap: RecordingPurgeHealth.maxGap(given: maxJobGap)))
            try object.encode(jobs, forKey: .jobs)
            try object.encode(health.iceServers.map(DiagnoseDBIceServer.init), forKey: .iceServers)
        } else {
            try object.encodeNil(forKey: .openCalls)
            try object.encodeNil(forKey: .overdueNoShows)
            try object.encodeNil(forKey: .overdueNoShowAge)
            try object.encodeNil(forKey: .recordings)
            try object.encodeNil(forKey: .jobs)
            try object.encodeNil(forKey: .iceServers)
        }
    }
}

/// One ICE server in `diagnose db --format json`: `uri`, `status`, `detail`, `checked_at`, `failing_since`.
struct DiagnoseDBIceServer: Encodable {
    let uri: String
    let status: String
    let detail: String?
    let checkedAt: Date
    let failingSince: Date?

    init(_ health: IceServerHealth) {
        (uri, status, detail, checkedAt, failingSince) = (health.uri, health.status, health.detail, health.checkedAt, health.failingSince)
    }

    private enum CodingKeys: String, CodingKey {
        case uri, status, detail, checkedAt = "checked_at", failingSince = "failing_since"
    }
}

/// One job in `diagnose db --format json`: `state` (``JobLiveness/State``), `last_run` and
/// `last_change` (the last run that changed something), each null or `started_at`,
/// `finished_at`, `outcome`, `claimed`, `changed`, `error`, `age_seconds` (since its start).
struct DiagnoseDBJobReport: Encodable {
    let liveness: JobLiveness

    private enum Keys: String, CodingKey {
        case state, lastRun = "last_run", lastChange = "last_change"
    }

    private struct Run: Encodable {
        let run: JobRun

        private enum Keys: String, CodingKey {
            case outcome, claimed, changed, error
            case startedAt = "started_at", finishedAt = "finished_at", ageSeconds = "age_seconds"
        }

        func encode(to encoder: any Encoder) throws {
            var object = encoder.container(keyedBy: Keys.self)
            try object.encode(PGTimestamp.format(run.startedAt), forKey: .startedAt)
            try object.encode(run.finishedAt.map(PGTimestamp.format), forKey: .finishedAt)
            try object.encode(run.outcome.rawValue, forKey: .outcome)
            try object.encode(run.claimed, forKey: .claimed)
            try object.encode(run.changed, forKey: .changed)
            try object.encode(run.error, forKey: .error)
            try object.encode(milliRounded(run.ageSeconds), forKey: .ageSeconds)
        }
    }

    func encode(to encoder: any Encoder) throws {
        var object = encoder.container(keyedBy: Keys.self)
        try object.encode(liveness.state.rawValue, forKey: .state)
        try object.encode(liveness.history.lastRun.map(Run.init), forKey: .lastRun)
        try object.encode(liveness.history.lastChange.map(Run.init), forKey: .lastChange)
    }
}

/// Seconds to the millisecond, as the JSON reports print them.
func milliRounded(_ seconds: Double) -> Double {
    (seconds * 1000).rounded() / 1000
}
