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

    /// Ends the child, unless it already exited, and waits until it is reaped: with `signal`
    /// first when given (a server that must stop its own children, like nginx's master), then
    /// SIGKILL if it has not exited within `grace` seconds; with SIGKILL at once otherwise.
    public func stop(signal: Int32? = nil, grace: Double = 5) {
        if let signal {
            lock.withLock {
                if exitStatus == nil { _ = kill(pid, signal) }
            }
            if exited.wait(timeout: .now() + grace) == .success {
                exited.signal()
                return
            }
        }
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
