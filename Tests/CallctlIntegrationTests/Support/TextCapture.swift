import Foundation

/// Text written by a command or a daemon running in the test process, collected under a lock
/// (the job harness and the routes write from other threads).
final class TextCapture: @unchecked Sendable {
    private let lock = NSLock()
    private var collected = ""

    /// Everything written so far.
    var text: String { lock.withLock { collected } }

    /// Adds `text`.
    func append(_ text: String) { lock.withLock { collected += text } }
}
