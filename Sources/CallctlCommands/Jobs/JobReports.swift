import CallDomain
import CallStore
import Foundation

extension NoShowOutcome: JobResult {
    var metricChanges: [(kind: String, count: Int)] {
        [("marked_no_show", markedAppointmentIds.count), ("call_window_closed", closedSessionIds.count)]
    }

    func summary(dryRun: Bool) -> String {
        let marked = plural(markedAppointmentIds.count, "appointment")
        let calls = plural(closedSessionIds.count, "open call")
        return dryRun ? "would mark \(marked) no_show and end \(calls) (window_closed); nothing was changed"
                      : "marked \(marked) no_show and ended \(calls) (window_closed)"
    }
}

extension ReapOutcome: JobResult {
    var metricChanges: [(kind: String, count: Int)] {
        ReapOutcome.reasons.map { ($0.rawValue, closedByReason[$0, default: 0]) }
            + [("appointment_completed", completedAppointmentIds.count), ("zombie_appointment", zombieAppointmentIds.count)]
    }

    func summary(dryRun: Bool) -> String {
        let reasons = ReapOutcome.reasons.map { "\($0.rawValue) \(closedByReason[$0, default: 0])" }.joined(separator: ", ")
        let calls = "\(plural(closed, "call")) (\(reasons))"
        let appointments = "\(plural(completedAppointmentIds.count, "appointment")) after a lost heartbeat or the maximum call length and "
            + plural(zombieAppointmentIds.count, "zombie appointment")
        return dryRun ? "would end \(calls) and complete \(appointments); nothing was changed"
                      : "ended \(calls) and completed \(appointments)"
    }
}

/// `3 appointments`, `1 appointment`.
func plural(_ count: Int, _ noun: String) -> String {
    "\(count) \(noun)\(count == 1 ? "" : "s")"
}

/// Ids for text output: all of them up to 50, then a count of the rest.
func idList<ID: CustomStringConvertible>(_ ids: [ID]) -> String {
    let shown = ids.prefix(50).map(\.description).joined(separator: ", ")
    return ids.count > 50 ? shown + ", … and \(ids.count - 50) more (--format json lists all)" : shown
}

/// `jobs no-show --format json`: docs/design.md's keys (`job`, `dry_run`, `marked`,
/// `appointment_ids`) plus the run's details.
struct NoShowReport: Encodable {
    let job: String
    let dryRun: Bool
    let marked: Int
    let appointmentIds: [Int64]
    let closedCalls: Int
    let callIds: [String]
    let outboxRows: Int
    let batches: Int
    let now: Date
    let durationMs: Int64

    init(_ outcome: NoShowOutcome, _ info: JobRunInfo) {
        job = info.job
        dryRun = info.dryRun
        marked = outcome.markedAppointmentIds.count
        appointmentIds = outcome.markedAppointmentIds
        closedCalls = outcome.closedSessionIds.count
        callIds = outcome.closedSessionIds.map { $0.uuidString.lowercased() }
        outboxRows = outcome.outboxRows
        batches = outcome.batches
        now = info.now
        durationMs = info.milliseconds
    }

    enum CodingKeys: String, CodingKey {
        case job, marked, batches, now
        case dryRun = "dry_run", appointmentIds = "appointment_ids", closedCalls = "closed_calls", callIds = "call_ids"
        case outboxRows = "outbox_rows", durationMs = "duration_ms"
    }
}

/// `jobs reap --format json`: docs/design.md's keys (`job`, `dry_run`, `closed`, `by_reason`)
/// plus the appointments completed and the run's details.
struct ReapReport: Encodable {
    let job: String
    let dryRun: Bool
    let closed: Int
    let byReason: [String: Int]
    let callIds: [String]
    let completedAppointments: [Int64]
    let zombieAppointments: [Int64]
    let outboxRows: Int
    let batches: Int
    let now: Date
    let durationMs: Int64

    init(_ outcome: ReapOutcome, _ info: JobRunInfo) {
        job = info.job
        dryRun = info.dryRun
        closed = outcome.closed
        byReason = Dictionary(uniqueKeysWithValues: ReapOutcome.reasons.map { ($0.rawValue, outcome.closedByReason[$0, default: 0]) })
        callIds = outcome.closedSessionIds.map { $0.uuidString.lowercased() }
        completedAppointments = outcome.completedAppointmentIds
        zombieAppointments = outcome.zombieAppointmentIds
        outboxRows = outcome.outboxRows
        batches = outcome.batches
        now = info.now
        durationMs = info.milliseconds
    }

    enum CodingKeys: String, CodingKey {
        case job, closed, batches, now
        case dryRun = "dry_run", byReason = "by_reason", callIds = "call_ids"
        case completedAppointments = "completed_appointments", zombieAppointments = "zombie_appointments"
        case outboxRows = "outbox_rows", durationMs = "duration_ms"
    }
}
