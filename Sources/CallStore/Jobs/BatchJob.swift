import Foundation
import Postgres

/// A cron job of `callctl jobs`: one type holds its name, its claim queries, the domain rule it
/// applies and its writes (``run(progress:)``), its read-only twin (``preview(progress:)``) and
/// its report (``Outcome``). The command layer's one harness runs every job the same way:
/// `--dry-run`, `--now`, `--batch-size`, `--format json`, `--metrics-file`, `--ping-url`,
/// progress logs and exit codes. Batches are claimed `FOR UPDATE SKIP LOCKED`, and each
/// batch's changes, audit rows and outbox rows commit together, then `NOTIFY` (``BatchLoop``,
/// ``ChangeRecorder``).
///
/// A new job is its rule (in CallDomain), its queries, a type conforming to this protocol and
/// a command file naming it.
public protocol BatchJob {
    /// What a run changed.
    associatedtype Outcome: JobOutcome

    /// The job's name in logs, metrics and JSON (`no_show`, `reap`).
    static var name: String { get }

    /// The job on `connection` with this run's parameters.
    init(connection: PGConnection, parameters: JobParameters)

    /// Claims, decides and writes batch after batch; `progress` after each commit.
    func run(progress: (JobBatch) -> Void) throws -> Outcome

    /// What ``run(progress:)`` would change now, read without locking or writing.
    func preview(progress: (JobBatch) -> Void) throws -> Outcome
}

/// What a job changed (or, in a dry run, would change), as every job reports it.
public protocol JobOutcome: Sendable {
    /// Rows changed by kind, for the metrics file.
    var metricChanges: [(kind: String, count: Int)] { get }
    /// Outbox rows written.
    var outboxRows: Int { get }
    /// Transactions committed (pages read in a dry run).
    var batches: Int { get }
    /// One sentence saying what changed (or would change).
    func summary(dryRun: Bool) -> String
    /// The lines after the summary in text output (the ids changed).
    var detailLines: [String] { get }
    /// Each row changed (or that would change), for one `debug` log line a row.
    var changedRows: [JobChangedRow] { get }
    /// The job's own keys of `--format json`; the harness adds `job`, `dry_run`, `outbox_rows`,
    /// `batches`, `now` and `duration_ms`.
    var reportFields: [String: JobReportValue] { get }
    /// Why the run, though committed, did not do all it should (the harness then exits 1 and
    /// pings failure); nil when it did.
    var incomplete: String? { get }
}

extension JobOutcome {
    /// Runs of most jobs are complete when they commit.
    public var incomplete: String? { nil }
}

/// One row a job changed: the appointment or the call, and what happened to it.
public struct JobChangedRow: Sendable, Equatable {
    /// The appointment, when the row is one.
    public let appointmentId: Int64?
    /// The call session, when the row is one.
    public let callId: UUID?
    /// What happened: `no_show`, `window_closed`, `ended`, `completed`, `zombie_completed`.
    public let change: String

    public init(appointmentId: Int64? = nil, callId: UUID? = nil, change: String) {
        self.appointmentId = appointmentId
        self.callId = callId
        self.change = change
    }
}

/// A value of a job's JSON report.
public enum JobReportValue: Sendable, Equatable, Encodable {
    /// A count.
    case count(Int)
    /// Row ids, in order.
    case ids([Int64])
    /// Text ids (call ids), in order.
    case texts([String])
    /// Counts by name.
    case counts([String: Int])
    /// A text.
    case text(String)
    /// Objects, in order.
    case objects([[String: JobReportValue]])

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .count(let value): try container.encode(value)
        case .ids(let values): try container.encode(values)
        case .texts(let values): try container.encode(values)
        case .counts(let values): try container.encode(values)
        case .text(let value): try container.encode(value)
        case .objects(let values): try container.encode(values)
        }
    }
}

extension JobOutcome {
    /// Ids for text output: all of them up to 50, then a count of the rest.
    static func idList<ID: CustomStringConvertible>(_ ids: [ID]) -> String {
        let shown = ids.prefix(50).map(\.description).joined(separator: ", ")
        return ids.count > 50 ? shown + ", … and \(ids.count - 50) more (--format json lists all)" : shown
    }
}
