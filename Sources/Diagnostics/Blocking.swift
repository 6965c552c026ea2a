import Foundation

/// Runs blocking work (libcurl, getaddrinfo) on a thread of its own, so that the cooperative
/// pool never waits on it.
enum Blocking {
    /// The result of `work`, or nil when it did not finish within `timeout`; the thread then
    /// finishes in the background and its result is dropped.
    static func run<T: Sendable>(timeout: Duration, _ work: @escaping @Sendable () -> T) async -> T? {
        let resumer = OnceResumer<T?>()
        return await withCheckedContinuation { continuation in
            resumer.install(continuation)
            Thread { resumer.resume(work()) }.start()
            Task {
                try? await Task.sleep(for: timeout)
                resumer.resume(nil)
            }
        }
    }

    /// The result of `work`, which bounds its own time (curl's timeout).
    static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: work()) }.start()
        }
    }
}

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
