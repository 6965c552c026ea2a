import Foundation

/// Resumes a continuation exactly once, whichever of several racers comes first.
final class OnceResumer<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, Never>?
    private var early: T?
    private var done = false

    /// Sets the continuation; a value that arrived before it is delivered at once.
    func install(_ continuation: CheckedContinuation<T, Never>) {
        let value: T? = lock.withLock {
            guard let early else {
                self.continuation = continuation
                return nil
            }
            self.early = nil
            return early
        }
        if let value { continuation.resume(returning: value) }
    }

    /// Delivers `value` unless a value was delivered before.
    func resume(_ value: T) {
        let continuation: CheckedContinuation<T, Never>? = lock.withLock {
            guard !done else { return nil }
            done = true
            guard let waiting = self.continuation else {
                early = value
                return nil
            }
            self.continuation = nil
            return waiting
        }
        continuation?.resume(returning: value)
    }
}
