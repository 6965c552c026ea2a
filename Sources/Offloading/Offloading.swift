import Foundation

/// Runs blocking work (libpq, libcurl, getaddrinfo) on a thread of its own, so that Swift's
/// cooperative pool never waits on it. The one way async code in callctl calls a blocking
/// C library; ``PGConnection`` and ``HTTPClient`` build their async entry points on it.
public enum Offloading {
    /// The result of `work`, which bounds its own time (libpq's and curl's timeouts).
    public static func run<T: Sendable, E: Error>(_ work: @escaping @Sendable () throws(E) -> T) async throws(E) -> T {
        let result: Result<T, E> = await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: Result { () throws(E) in try work() }) }.start()
        }
        return try result.get()
    }

    /// The result of `work`, or nil when it did not finish within `timeout` (a lookup that
    /// ignores cancellation); the thread then finishes in the background and its result is
    /// dropped.
    public static func run<T: Sendable>(timeout: Duration, _ work: @escaping @Sendable () -> T) async -> T? {
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
}
