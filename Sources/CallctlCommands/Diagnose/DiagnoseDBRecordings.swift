import CallDomain
import CallStore

/// The recordings in `diagnose db`: one line for people, and `recordings` in JSON:
/// `any_received`, `stored`, `overdue`, `oldest_overdue_seconds` (past its retention),
/// `purge_failing`, `last_purge_error`, `retention_seconds` (clinic-wide), `tenants_with_own_retention`,
/// `grace_seconds`.
struct DiagnoseDBRecordings: Encodable {
    let health: RecordingPurgeHealth

    private enum Keys: String, CodingKey {
        case anyReceived = "any_received", stored, overdue, oldestOverdueSeconds = "oldest_overdue_seconds"
        case purgeFailing = "purge_failing", lastPurgeError = "last_purge_error"
        case retentionSeconds = "retention_seconds", tenantsWithOwnRetention = "tenants_with_own_retention"
        case graceSeconds = "grace_seconds"
    }

    func encode(to encoder: any Encoder) throws {
        var object = encoder.container(keyedBy: Keys.self)
        try object.encode(health.anyReceived, forKey: .anyReceived)
        try object.encode(health.stored, forKey: .stored)
        try object.encode(health.overdue, forKey: .overdue)
        try object.encode(health.oldestOverdueSeconds.map(milliRounded), forKey: .oldestOverdueSeconds)
        try object.encode(health.failing, forKey: .purgeFailing)
        try object.encode(health.lastError, forKey: .lastPurgeError)
        try object.encode(health.retentionSeconds, forKey: .retentionSeconds)
        try object.encode(health.tenantsWithOwnRetention, forKey: .tenantsWithOwnRetention)
        try object.encode(RecordingPurgeHealth.grace, forKey: .graceSeconds)
    }

    /// `2 stored, 1 overdue for deletion (the oldest 96h00m past its retention), 1 failing to delete (last error: …)`.
    static func line(_ health: RecordingPurgeHealth) -> String {
        guard health.anyReceived else { return "none received" }
        return "\(health.stored) stored, \(health.overdue) overdue for deletion"
            + (health.oldestOverdueSeconds.map { " (the oldest \(ReadableText.age($0)) past its retention)" } ?? "")
            + ", \(health.failing) failing to delete" + (health.lastError.map { " (last error: \($0))" } ?? "")
    }
}
