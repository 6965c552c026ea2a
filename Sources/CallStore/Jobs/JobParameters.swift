import CallDomain
import Foundation

/// What a job run evaluates with: the instant, the settings read for this run, and the batch
/// size (rows claimed and changed per transaction).
public struct JobParameters: Sendable {
    /// The instant the rules are evaluated at, whole microseconds (PostgreSQL's precision), so
    /// the SQL pre-filter and the domain rule compare the same values.
    public let now: Date
    /// The settings in force for this run.
    public let settings: CallSettings
    /// Rows per transaction.
    public let batchSize: Int
    /// Where recording objects are deleted (`jobs purge-recordings`); nil for the other jobs.
    public let recordingObjects: (any RecordingObjectDeleter)?

    /// Creates parameters; `now` is rounded to whole microseconds.
    public init(now: Date, settings: CallSettings, batchSize: Int, recordingObjects: (any RecordingObjectDeleter)? = nil) {
        precondition(batchSize > 0, "a batch holds at least one row")
        self.now = now.wholeMicroseconds
        self.settings = settings
        self.batchSize = batchSize
        self.recordingObjects = recordingObjects
    }
}

/// One committed batch (or, in a dry run, one page read), for progress logs.
public struct JobBatch: Sendable, Equatable {
    /// 1, 2, ...
    public let number: Int
    /// Rows claimed by the query.
    public let claimed: Int
    /// Changes made (or, in a dry run, that would be made).
    public let changed: Int
    /// Outbox rows written.
    public let outboxRows: Int
}

/// The keyset position of a job's scan: rows are visited in `(at, id)` order, each batch after
/// the last row of the one before, so a row the rule refuses is never claimed twice in a run.
struct ScanKey<ID: Sendable>: Sendable {
    /// The ordering timestamp as PostgreSQL printed it (cast back exactly).
    let at: String
    let id: ID
}
