import Postgres

/// One batch's result: where the next batch starts and what this one did.
struct BatchStep<Key, Value> {
    /// The scan position after this batch's last claimed row.
    let next: Key
    /// Rows the query returned.
    let claimed: Int
    /// What the batch changed (or would change).
    let value: Value
    /// Changes made (or that would be made).
    let changed: Int
    /// Outbox rows written.
    let outboxRows: Int
}

/// Drives a job's batches until a batch claims nothing.
///
/// A real run commits each batch in its own transaction: a crash loses at most the batch in
/// flight, whose claim, changes, audit and outbox rows roll back together. A dry run reads
/// every page inside one `REPEATABLE READ READ ONLY` transaction: one consistent view, and the
/// server itself refuses any write.
///
/// Each transaction turns bitmap scans off (`SET LOCAL`, so only for itself). A claim pages by
/// a keyset its index holds in order; when the batch is a large share of the rows left (5,000
/// of a booking slot's 25,000), the planner otherwise reads all of them through a bitmap and
/// sorts them, at every batch, instead of reading the next batch from the index in order
/// (bench/jobs.sh prints both plans).
///
/// `sorts: false` also turns sorts off, for a claim whose filter the planner underestimates:
/// reap's per-state `OR` counts the open-state condition twice, so the planner expects fewer
/// overdue sessions than one batch and reads every open session and sorts them (46–72 ms a
/// 500-row claim among 50,000) instead of the next 500 from the keyset index (1.2 ms).
enum BatchLoop {
    private static let orderedScans = "SET LOCAL enable_bitmapscan = off"
    private static let noSorts = "SET LOCAL enable_sort = off"

    /// Runs `batch` from `start`; `committed` hears each batch once it is durable (or read).
    static func run<Key, Value>(
        on connection: PGConnection, dryRun: Bool, from start: Key, sorts: Bool = true,
        batch: (PGConnection, Key) throws -> BatchStep<Key, Value>?,
        committed: (BatchStep<Key, Value>, JobBatch) -> Void
    ) throws {
        let planner = sorts ? orderedScans : "\(orderedScans); \(noSorts)"
        var key = start
        var number = 0
        func report(_ step: BatchStep<Key, Value>) {
            number += 1
            key = step.next
            committed(step, JobBatch(number: number, claimed: step.claimed, changed: step.changed, outboxRows: step.outboxRows))
        }
        if dryRun {
            try connection.transaction(begin: "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; \(planner)") { connection in
                while let step = try batch(connection, key) { report(step) }
            }
        } else {
            while let step = try connection.transaction(begin: "BEGIN; \(planner)", { connection in try batch(connection, key) }) {
                report(step)
            }
        }
    }
}
