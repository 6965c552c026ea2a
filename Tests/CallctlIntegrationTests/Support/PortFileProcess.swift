import Foundation
import LocalServices

/// A helper process the tests start in the background (a Python stand-in server or peer)
/// with a scratch directory of its own: ``stop()`` ends it once (SIGTERM, then reaps it),
/// however often it is called; dropping it stops it and removes the directory.
final class ScratchProcess: @unchecked Sendable {
    let pid: pid_t
    let directory: URL
    private let lock = NSLock()
    private var stopped = false

    init(pid: pid_t, directory: URL) {
        self.pid = pid
        self.directory = directory
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Ends the process; later calls do nothing. Its files stay until it is dropped.
    func stop() {
        let first = lock.withLock {
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        kill(pid, SIGTERM)
        _ = try? CommandRunner.wait(for: pid)
    }
}

/// A loopback stub server started in the background that writes the port it bound to a file
/// (`port` in its scratch directory) once it listens: how the tests' Python stand-ins start.
enum PortFileProcess {
    /// Spawns `arguments(portPath)` and waits up to 10 s for the port; on failure the process
    /// is killed, the directory removed and `failure` thrown.
    static func start(label: String, failure: String, _ arguments: (_ directory: URL, _ portPath: String) -> [String])
        throws -> (process: ScratchProcess, port: Int) {
        let directory = try makeScratchDirectory(label)
        let portPath = directory.appendingPathComponent("port").path
        let pid: pid_t
        do {
            pid = try CommandRunner.spawnDetached(arguments(directory, portPath))
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
        var port: Int?
        var exited = false
        _ = eventually(within: 10) {
            port = (try? String(contentsOfFile: portPath, encoding: .utf8)).flatMap { Int($0) }
            var status: Int32 = 0
            exited = port == nil && waitpid(pid, &status, WNOHANG) == pid
            return port != nil || exited
        }
        guard let port else {
            if !exited {
                kill(pid, SIGKILL)
                _ = try? CommandRunner.wait(for: pid)
            }
            try? FileManager.default.removeItem(at: directory)
            throw LocalServiceError(failure)
        }
        return (ScratchProcess(pid: pid, directory: directory), port)
    }
}
