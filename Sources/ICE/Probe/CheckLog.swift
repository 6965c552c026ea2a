import NIOCore

/// What a step reports when it succeeds: its value, what it saw, and its status (OK unless
/// the step found a flaw that is not a failure).
struct StepOutcome<Value> {
    let value: Value
    let detail: String
    var status: ProbeStatus = .ok
}

/// Records a probe's checks as its steps run, each timed. Lives in the probe's own task.
final class CheckLog {
    /// The checks so far, in order.
    private(set) var checks: [ProbeCheck] = []

    /// Runs a step and records it with its duration: its outcome's status and detail, or
    /// the failure it throws, which is rethrown so that later steps do not run.
    func step<Value>(_ name: String, _ body: () async throws(ProbeFailure) -> StepOutcome<Value>)
        async throws(ProbeFailure) -> Value {
        let start = NIODeadline.now()
        do {
            let outcome = try await body()
            record(name, status: outcome.status, duration: ProbeTiming.since(start), detail: outcome.detail)
            return outcome.value
        } catch {
            record(name, status: error.status, duration: ProbeTiming.since(start), detail: error.description)
            throw error
        }
    }

    /// Runs work that is no check of its own, such as opening a UDP socket; only a failure
    /// is recorded, as check `name`, and rethrown.
    func unlessFailing<Value>(_ name: String, _ body: () async throws(ProbeFailure) -> Value) async throws(ProbeFailure) -> Value {
        let start = NIODeadline.now()
        do {
            return try await body()
        } catch {
            record(name, status: error.status, duration: ProbeTiming.since(start), detail: error.description)
            throw error
        }
    }

    /// Adds a check.
    func record(_ name: String, status: ProbeStatus, duration: Duration, detail: String) {
        checks.append(ProbeCheck(name: name, status: status, duration: duration, detail: detail))
    }
}
