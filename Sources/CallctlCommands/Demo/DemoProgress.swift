import Foundation

/// Prints the demo's numbered steps with their outcome and duration:
///
///     [ 3/19] migrate the schema
///         …what the step prints…
///         ok (412 ms)
final class DemoProgress: @unchecked Sendable {
    private let output: Output
    private let total: Int
    private let lock = NSLock()
    private var number = 0
    private var failures = 0

    /// Progress over `total` steps written to `output`.
    init(output: Output, total: Int) {
        self.output = output
        self.total = total
    }

    /// Steps that failed so far.
    var failed: Int { lock.withLock { failures } }

    /// Runs one step: its header, its body, then `ok` or `FAIL` with the duration. A failure
    /// is rethrown.
    @discardableResult
    func step<T>(_ name: String, _ body: () async throws -> T) async throws -> T {
        let started = ContinuousClock.now
        header(name)
        do {
            let value = try await body()
            output.line("        ok (\(Self.text(since: started)))")
            return value
        } catch {
            lock.withLock { failures += 1 }
            output.line("        FAIL (\(Self.text(since: started))): \(Failure(error).message)")
            throw error
        }
    }

    /// A step that does not apply on this machine.
    func skip(_ name: String, because reason: String) {
        header(name)
        output.line("        skipped: \(reason)")
    }

    /// A line inside the current step.
    func detail(_ text: String) {
        output.line("        " + text)
    }

    private func header(_ name: String) {
        let current = lock.withLock { number += 1; return number }
        let width = String(total).count
        let shown = String(repeating: " ", count: max(0, width - String(current).count)) + String(current)
        output.line("[\(shown)/\(total)] \(name)")
    }

    /// `412 ms` or `2.3 s`.
    static func text(since start: ContinuousClock.Instant) -> String {
        let milliseconds = (ContinuousClock.now - start) / .milliseconds(1)
        return milliseconds < 1000 ? "\(Int(milliseconds)) ms" : String(format: "%.1f s", milliseconds / 1000)
    }
}
