import CallDomain
import Foundation

/// What `jobs no-show` changed (or, in a dry run, would change).
public struct NoShowOutcome: Sendable, Equatable {
    /// Appointments marked `no_show`, in the order they were claimed.
    public internal(set) var markedAppointmentIds: [Int64] = []
    /// Open call sessions of those appointments ended with `window_closed`.
    public internal(set) var closedSessionIds: [UUID] = []
    /// Outbox rows written.
    public internal(set) var outboxRows = 0
    /// Transactions committed (pages read in a dry run).
    public internal(set) var batches = 0

    /// An empty outcome.
    public init() {}
}

/// What `jobs reap` changed (or, in a dry run, would change).
public struct ReapOutcome: Sendable, Equatable {
    /// Call sessions ended, by end reason (`timeout_no_answer`, `connect_timeout`, `heartbeat_lost`).
    public internal(set) var closedByReason: [EndReason: Int] = [:]
    /// The ids of those sessions.
    public internal(set) var closedSessionIds: [UUID] = []
    /// Appointments completed because their call's heartbeat was lost.
    public internal(set) var completedAppointmentIds: [Int64] = []
    /// `in_progress` appointments without an open call that were completed (zombies).
    public internal(set) var zombieAppointmentIds: [Int64] = []
    /// Outbox rows written.
    public internal(set) var outboxRows = 0
    /// Transactions committed (pages read in a dry run).
    public internal(set) var batches = 0

    /// An empty outcome.
    public init() {}

    /// The end reasons the reaper uses, in the order reports list them.
    public static let reasons: [EndReason] = [.timeoutNoAnswer, .connectTimeout, .heartbeatLost, .maxDuration]

    /// Sessions ended in total.
    public var closed: Int { closedSessionIds.count }
}

extension NoShowOutcome: JobOutcome {
    public var metricChanges: [(kind: String, count: Int)] {
        [("marked_no_show", markedAppointmentIds.count), ("call_window_closed", closedSessionIds.count)]
    }

    public func summary(dryRun: Bool) -> String {
        let marked = plural(markedAppointmentIds.count, "appointment")
        let calls = plural(closedSessionIds.count, "open call")
        return dryRun ? "would mark \(marked) no_show and end \(calls) (window_closed); nothing was changed"
                      : "marked \(marked) no_show and ended \(calls) (window_closed)"
    }

    public var detailLines: [String] {
        markedAppointmentIds.isEmpty ? [] : ["appointments: \(Self.idList(markedAppointmentIds))"]
    }

    public var changedRows: [JobChangedRow] {
        markedAppointmentIds.map { JobChangedRow(appointmentId: $0, change: "no_show") }
            + closedSessionIds.map { JobChangedRow(callId: $0, change: EndReason.windowClosed.rawValue) }
    }

    /// `marked`, `appointment_ids` (docs/design.md), `closed_calls`, `call_ids`.
    public var reportFields: [String: JobReportValue] {
        ["marked": .count(markedAppointmentIds.count), "appointment_ids": .ids(markedAppointmentIds),
         "closed_calls": .count(closedSessionIds.count), "call_ids": .texts(closedSessionIds.map { $0.uuidString.lowercased() })]
    }
}

extension ReapOutcome: JobOutcome {
    public var metricChanges: [(kind: String, count: Int)] {
        ReapOutcome.reasons.map { ($0.rawValue, closedByReason[$0, default: 0]) }
            + [("appointment_completed", completedAppointmentIds.count), ("zombie_appointment", zombieAppointmentIds.count)]
    }

    public func summary(dryRun: Bool) -> String {
        let reasons = ReapOutcome.reasons.map { "\($0.rawValue) \(closedByReason[$0, default: 0])" }.joined(separator: ", ")
        let calls = "\(plural(closed, "call")) (\(reasons))"
        let appointments = "\(plural(completedAppointmentIds.count, "appointment")) after a lost heartbeat or the maximum call length and "
            + plural(zombieAppointmentIds.count, "zombie appointment")
        return dryRun ? "would end \(calls) and complete \(appointments); nothing was changed"
                      : "ended \(calls) and completed \(appointments)"
    }

    public var detailLines: [String] {
        var lines: [String] = []
        if !closedSessionIds.isEmpty { lines.append("calls: \(Self.idList(closedSessionIds.map { $0.uuidString.lowercased() }))") }
        let appointments = completedAppointmentIds + zombieAppointmentIds
        if !appointments.isEmpty { lines.append("appointments completed: \(Self.idList(appointments))") }
        return lines
    }

    public var changedRows: [JobChangedRow] {
        closedSessionIds.map { JobChangedRow(callId: $0, change: "ended") }
            + completedAppointmentIds.map { JobChangedRow(appointmentId: $0, change: "completed") }
            + zombieAppointmentIds.map { JobChangedRow(appointmentId: $0, change: "zombie_completed") }
    }

    /// `closed`, `by_reason` (docs/design.md, every reaper reason), `call_ids`,
    /// `completed_appointments`, `zombie_appointments`.
    public var reportFields: [String: JobReportValue] {
        ["closed": .count(closed),
         "by_reason": .counts(Dictionary(uniqueKeysWithValues: ReapOutcome.reasons.map { ($0.rawValue, closedByReason[$0, default: 0]) })),
         "call_ids": .texts(closedSessionIds.map { $0.uuidString.lowercased() }),
         "completed_appointments": .ids(completedAppointmentIds), "zombie_appointments": .ids(zombieAppointmentIds)]
    }
}

/// A recording whose object the storage refused to delete; its row is kept for the next run.
public struct PurgeFailure: Sendable, Equatable {
    public let recordingId: String
    public let appointmentId: Int64
    /// What the storage said (never a secret).
    public let error: String
}

/// What `jobs purge-recordings` deleted (or, in a dry run, would delete).
public struct PurgeOutcome: Sendable, Equatable {
    /// Recordings whose object was deleted and location cleared, in the order they were claimed
    /// (in a dry run: those due).
    public internal(set) var deletedRecordingIds: [String] = []
    /// Deletions the storage refused, retried on the next run.
    public internal(set) var failures: [PurgeFailure] = []
    /// Outbox rows written.
    public internal(set) var outboxRows = 0
    /// Transactions committed (pages read in a dry run).
    public internal(set) var batches = 0

    /// An empty outcome.
    public init() {}
}

extension PurgeOutcome: JobOutcome {
    public var metricChanges: [(kind: String, count: Int)] {
        [("recording_deleted", deletedRecordingIds.count), ("recording_delete_failed", failures.count)]
    }

    public func summary(dryRun: Bool) -> String {
        let recordings = plural(deletedRecordingIds.count, "recording")
        if dryRun { return "would delete \(recordings) past the retention; nothing was changed" }
        let failed = failures.isEmpty ? "" : "; \(plural(failures.count, "deletion")) failed at the storage and will be retried on the next run"
        return "deleted \(recordings) past the retention\(failed)"
    }

    public var detailLines: [String] {
        (deletedRecordingIds.isEmpty ? [] : ["recordings: \(Self.idList(deletedRecordingIds))"])
            + failures.prefix(50).map { "failed: recording \($0.recordingId) (appointment \($0.appointmentId)): \($0.error)" }
    }

    public var changedRows: [JobChangedRow] {
        deletedRecordingIds.map { JobChangedRow(change: "recording_deleted \($0)") }
    }

    /// `deleted`, `recording_ids`, `failed`, `failures` (each `{recording_id, appointment_id, error}`).
    public var reportFields: [String: JobReportValue] {
        ["deleted": .count(deletedRecordingIds.count), "recording_ids": .texts(deletedRecordingIds), "failed": .count(failures.count),
         "failures": .objects(failures.map {
            ["recording_id": .text($0.recordingId), "appointment_id": .count(Int($0.appointmentId)), "error": .text($0.error)]
         })]
    }

    public var incomplete: String? {
        failures.isEmpty ? nil : "\(plural(failures.count, "recording")) could not be deleted at the storage (first: recording "
            + "\(failures[0].recordingId): \(failures[0].error)); they are kept and retried on the next run — see "
            + "playbooks/recordings-not-purged.md"
    }
}
