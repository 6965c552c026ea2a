import CallDomain
import Foundation

/// How a cron job is doing by its recorded real runs, as `diagnose db` judges it: a run within
/// the last `maxGap` seconds means its cron runs; none means it stopped (or never ran).
public struct JobLiveness: Sendable, Equatable {
    /// The job's state.
    public enum State: String, Sendable {
        /// No real run is recorded (within the retention).
        case neverRan = "never_ran"
        /// The last run started longer than `maxGap` ago, however it ended (or if it never did).
        case stopped
        /// The last run is recent and failed.
        case failing
        /// The last run is recent and still running.
        case running
        /// The last run is recent, succeeded and had nothing to change.
        case idle
        /// The last run is recent, succeeded and changed something.
        case active
    }

    /// The state.
    public let state: State
    /// The runs it was judged from.
    public let history: JobRunHistory
    /// How long, in seconds, a job may go without a run before its cron counts as stopped.
    public let maxGap: Double

    /// Judges `history` with `maxGap`.
    public init(_ history: JobRunHistory, maxGap: Double) {
        self.history = history
        self.maxGap = maxGap
        guard let run = history.lastRun else {
            state = .neverRan
            return
        }
        if run.ageSeconds > maxGap {
            state = .stopped
        } else {
            switch run.outcome {
            case .failed: state = .failing
            case .running: state = .running
            case .succeeded: state = run.changed > 0 ? .active : .idle
            }
        }
    }

    /// Why the job is a problem, naming its `command`; nil when it is not. The cron stopped or
    /// its runs fail: always. It never ran: once it has rows due (`oldestDueSeconds`, how long
    /// the oldest has been due; nil when none). It runs: when that oldest row has been due
    /// longer than `allowance` seconds, so the runs leave it.
    public func problem(command: String, oldestDueSeconds: Double?, allowance: Double) -> String? {
        guard let run = history.lastRun else {
            return oldestDueSeconds == nil ? nil : "the `\(command)` cron is not running: it never ran"
        }
        let age = ReadableText.age(run.ageSeconds)
        switch state {
        case .stopped:
            let ended = switch run.outcome {
            case .failed: " and failed: \(run.error ?? "no error recorded")"
            case .running: " and never finished (killed, or still running)"
            case .succeeded: ""
            }
            return "the `\(command)` cron is not running: its last run started \(age) ago\(ended) (limit \(ReadableText.age(maxGap)))"
        case .failing:
            return "`\(command)` is failing: its last run, \(age) ago, failed: \(run.error ?? "no error recorded")"
        default:
            guard let due = oldestDueSeconds, due > allowance else { return nil }
            return "`\(command)` last ran \(age) ago (\(state.rawValue)) but left them: `\(command) --dry-run` shows what it would do now"
        }
    }
}
