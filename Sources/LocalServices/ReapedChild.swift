import Foundation

/// A background child process that is reaped the moment it exits, whoever ends it (`stop()`,
/// a `kill` typed while practising a playbook, a crash), so no zombie is left while the owner
/// runs on.
///
/// A thread waits for the exit without reaping (`waitid` with `WNOWAIT`), then reaps under the
/// lock `stop()` signals under: a signal is only ever sent to this child, never to a process
/// that reused its pid after the reaping.
public final class ReapedChild: @unchecked Sendable {
    /// The child's process id.
    public let pid: pid_t
    private let lock = NSLock()
    private var exitStatus: Int32?
    private let exited = DispatchSemaphore(value: 0)

    /// Starts `arguments` like ``CommandRunner/spawnDetached(_:environment:)`` and watches it.
    public init(_ arguments: [String], environment: [String: String?] = [:]) throws {
        pid = try CommandRunner.spawnDetached(arguments, environment: environment)
        Thread.detachNewThread { [self] in watch() }
    }

    /// True while the child has not exited.
    public var isRunning: Bool { lock.withLock { exitStatus == nil } }

    /// Ends the child with SIGKILL, unless it already exited, and waits until it is reaped.
    public func stop() {
        lock.withLock {
            if exitStatus == nil { _ = kill(pid, SIGKILL) }
        }
        exited.wait()
        exited.signal()
    }

    private func watch() {
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR {}
        lock.withLock {
            exitStatus = (try? CommandRunner.wait(for: pid)) ?? -1
        }
        exited.signal()
    }
}
