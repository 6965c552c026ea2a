import Foundation
import LocalServices
import Postgres
import Testing

/// A `callctl` process started in the background (as several cron runs overlap), with its
/// output sent to files, so tests can run several at once, or kill one mid-batch.
struct BackgroundRun {
    let pid: pid_t
    private let directory: URL

    /// Starts `callctl arguments` on `world`'s database.
    init(_ world: JobsWorld, _ arguments: [String]) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("callctl-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let command = "exec \"$0\" \"$@\" >'\(directory.path)/out' 2>'\(directory.path)/err'"
        var environment: [String: String?] = ["PGHOST": nil, "PGPORT": nil, "PGDATABASE": nil, "PGUSER": nil, "DB_HOST": nil]
        environment["DATABASE_URL"] = world.database.connectionString
        pid = try CommandRunner.spawnDetached(["sh", "-c", command, CLI.path] + arguments, environment: environment)
    }

    /// How a background run ended.
    struct Ending {
        /// The exit status (128 + signal number when killed).
        let status: Int32
        let standardOutput: String
        let standardError: String
        var output: String { standardOutput + standardError }
    }

    /// Waits for the process; returns its status, stdout and stderr, and removes the files.
    func finish() throws -> Ending {
        let status = try CommandRunner.wait(for: pid)
        defer { try? FileManager.default.removeItem(at: directory) }
        let read = { (name: String) in (try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)) ?? "" }
        return Ending(status: status, standardOutput: read("out"), standardError: read("err"))
    }

    /// `kill -9`, then reaps the process.
    func kill9() throws -> Ending {
        kill(pid, SIGKILL)
        return try finish()
    }
}

/// Polls `condition` every 20 ms for up to `seconds`; true when it held.
func eventually(within seconds: Double = 30, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        usleep(20_000)
    }
    return try condition()
}

extension JobsWorld {
    /// The backend pid of a session waiting for a lock while running a statement like `pattern`.
    func backendWaitingOnLock(_ pattern: String) throws -> Int32? {
        try connection.query("""
            SELECT pid FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock' AND query LIKE $1
            """, pattern).first?.decode(Int32.self, "pid")
    }

    /// True when the backend `pid` is gone (its client died and its transaction rolled back).
    func backendGone(_ pid: Int32) throws -> Bool {
        try count("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", pid) == 0
    }
}
