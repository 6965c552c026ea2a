import Foundation
import LocalServices

/// A loopback stub server started in the background that writes the port it bound to a file
/// (`port` in its scratch directory) once it listens: how the tests' Python stand-ins start.
enum PortFileProcess {
    /// Spawns `arguments(portPath)` and waits up to 10 s for the port; on failure the process
    /// is killed, the directory removed and `failure` thrown.
    static func start(label: String, failure: String, _ arguments: (_ directory: URL, _ portPath: String) -> [String])
        throws -> (pid: pid_t, port: Int, directory: URL) {
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
        return (pid, port, directory)
    }
}
