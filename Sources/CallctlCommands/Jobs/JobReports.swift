import CallStore
import Foundation
import Postgres

/// What a job command prints after a run: in text, the summary with the instant and duration,
/// then the job's detail lines; in JSON (`--format json`), `job`, `dry_run`, `outbox_rows`,
/// `batches`, `now`, `duration_ms` and the job's own keys (``JobOutcome/reportFields``).
struct JobReport<Outcome: JobOutcome>: Encodable {
    /// `no_show` or `reap`.
    let job: String
    /// True for `--dry-run`.
    let dryRun: Bool
    /// The instant the rules were evaluated at.
    let now: Date
    /// How long the run took, in whole milliseconds.
    let durationMs: Int64
    let outcome: Outcome

    /// The text output.
    var lines: [String] {
        ["\(job)\(dryRun ? " (dry run)" : ""): \(outcome.summary(dryRun: dryRun)) as of \(PGTimestamp.format(now)) in \(durationMs) ms"]
            + outcome.detailLines
    }

    private struct Key: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: any Encoder) throws {
        var object = encoder.container(keyedBy: Key.self)
        try object.encode(job, forKey: Key(stringValue: "job"))
        try object.encode(dryRun, forKey: Key(stringValue: "dry_run"))
        try object.encode(outcome.outboxRows, forKey: Key(stringValue: "outbox_rows"))
        try object.encode(outcome.batches, forKey: Key(stringValue: "batches"))
        try object.encode(now, forKey: Key(stringValue: "now"))
        try object.encode(durationMs, forKey: Key(stringValue: "duration_ms"))
        for (key, value) in outcome.reportFields {
            try object.encode(value, forKey: Key(stringValue: key))
        }
    }
}
