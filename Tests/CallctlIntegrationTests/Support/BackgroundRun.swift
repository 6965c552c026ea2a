import Foundation
import LocalServices

/// A `callctl` process started in the background (as overlapping cron runs or deploys do),
/// with its output sent to files, so tests can run several at once, or kill one mid-batch.
/// A run that is dropped before `finish()` or `kill9()` (a test that threw) is killed and
/// reaped, and its files removed.
final class BackgroundRun {
    let pid: pid_t
    private let directory: URL
    private var ending: Ending?

    /// Starts `callctl arguments` with `DATABASE_URL` set to `databaseURL`, in the environment
    /// `CLI.environment(environment)` otherwise.
    init(databaseURL: String, _ arguments: [String], environment: [String: String?] = [:]) throws {
        let directory = try makeScratchDirectory("callctl-run")
        let command = "exec \"$0\" \"$@\" >'\(directory.path)/out' 2>'\(directory.path)/err'"
        var variables = environment
        variables["DATABASE_URL"] = databaseURL
        do {
            pid = try CommandRunner.spawnDetached(["sh", "-c", command, CLI.path] + arguments, environment: CLI.environment(variables))
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
        self.directory = directory
    }

    deinit {
        guard ending == nil else { return }
        kill(pid, SIGKILL)
        _ = try? CommandRunner.wait(for: pid)
        try? FileManager.default.removeItem(at: directory)
    }

    /// How a background run ended.
    struct Ending: CapturedOutput {
        /// The exit status (128 + signal number when killed).
        let status: Int32
        let standardOutput: String
        let standardError: String
        var output: String { standardOutput + standardError }
    }

    /// Waits for the process; returns its status, stdout and stderr, and removes the files.
    /// Once finished, returns the same ending again.
    func finish() throws -> Ending {
        if let ending { return ending }
        let status = try CommandRunner.wait(for: pid)
        defer { try? FileManager.default.removeItem(at: directory) }
        let read = { (name: String) in (try? String(contentsOf: self.directory.appendingPathComponent(name), encoding: .utf8)) ?? "" }
        let ending = Ending(status: status, standardOutput: read("out"), standardError: read("err"))
        self.ending = ending
        return ending
    }

    /// What the process wrote to standard output so far.
    func standardOutputSoFar() -> String {
        (try? String(contentsOf: directory.appendingPathComponent("out"), encoding: .utf8)) ?? ""
    }

    /// Sends `signal` unless the process was reaped.
    func send(_ signal: Int32) {
        if ending == nil { kill(pid, signal) }
    }

    /// `kill -9`, then reaps the process (no signal once it was reaped).
    func kill9() throws -> Ending {
        if ending == nil { kill(pid, SIGKILL) }
        return try finish()
    }
}
