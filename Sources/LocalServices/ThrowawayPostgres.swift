import Foundation

/// A PostgreSQL server of its own on a temporary directory, a free loopback port and a unix
/// socket, for the demo and the tests. Run as root, the server runs as the `postgres` user
/// (initdb refuses root). `stop()` removes everything; a watchdog does the same if the
/// owning process dies without stopping it.
public final class ThrowawayPostgres: Sendable {
    /// The temporary directory holding data, socket and log.
    public let directory: String
    /// The TCP port on 127.0.0.1.
    public let port: Int
    /// The directory of the unix socket.
    public let socketDirectory: String
    /// The superuser name.
    public let superuser = "postgres"
    /// The superuser's password for TCP connections (unix-socket connections need none).
    public let password: String
    private let binDirectory: String
    private let owner: String?
    private let watchdogID: pid_t?

    /// Creates the cluster and starts the server.
    /// - Parameter stopWhenParentExits: start a watchdog that stops the server once this process is gone.
    public init(stopWhenParentExits: Bool = true) throws {
        binDirectory = try Self.findBinDirectory()
        owner = LocalHost.isRoot ? "postgres" : nil
        password = UUID().uuidString.replacingOccurrences(of: "-", with: "")
        directory = try LocalHost.makeTemporaryDirectory(prefix: "callctl-pg")
        socketDirectory = directory + "/socket"
        do {
            port = try LocalHost.freePort()
            let stopCommand = (owner.map { "runuser -u \($0) -- " } ?? "")
                + "'\(binDirectory)/pg_ctl' -D '\(directory)/data' -m immediate -w stop >/dev/null 2>&1"
            watchdogID = stopWhenParentExits ? try LocalHost.startWatchdog(cleanup: stopCommand, directory: directory) : nil
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
        do {
            try prepareDirectory()
            try initialize()
            try startServer()
        } catch {
            stop()
            throw error
        }
    }

    /// A libpq connection string over the unix socket (no password needed).
    public func connectionString(database: String = "postgres") -> String {
        "host=\(socketDirectory) port=\(port) user=\(superuser) dbname=\(database)"
    }

    /// Creates a database (the name is a plain identifier chosen by the caller).
    public func createDatabase(_ name: String) throws {
        try psql("CREATE DATABASE \"\(name)\"")
    }

    /// Runs SQL through `psql` as the superuser over the socket; returns its output.
    @discardableResult
    public func psql(_ sql: String, database: String = "postgres") throws -> String {
        let outcome = try CommandRunner.run(
            [binDirectory + "/psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
             "-d", connectionString(database: database), "-c", sql])
        guard outcome.status == 0 else { throw LocalServiceError("psql failed: \(outcome.output)") }
        return outcome.output
    }

    /// The shell line that stops a server left running (`callctl demo --keep`) and removes its
    /// directory, with pg_ctl's full path (it is not on Debian's PATH).
    public var stopCommand: String {
        (owner.map { "runuser -u \($0) -- " } ?? "") + "'\(binDirectory)/pg_ctl' -D '\(directory)/data' stop && rm -rf '\(directory)'"
    }

    /// Stops the server at once and its watchdog, and removes its directory.
    public func stop() {
        _ = try? CommandRunner.run([binDirectory + "/pg_ctl", "-D", directory + "/data", "-m", "immediate", "-w", "stop"], as: owner)
        if let watchdogID { LocalHost.kill(watchdogID) }
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func prepareDirectory() throws {
        try FileManager.default.createDirectory(atPath: socketDirectory, withIntermediateDirectories: true)
        try password.write(toFile: directory + "/pwfile", atomically: true, encoding: .utf8)
        guard let owner else { return }
        let chown = try CommandRunner.run(["chown", "-R", owner, directory])
        guard chown.status == 0 else { throw LocalServiceError("cannot hand \(directory) to the \(owner) user: \(chown.output)") }
    }

    private func initialize() throws {
        let outcome = try CommandRunner.run(
            [binDirectory + "/initdb", "-D", directory + "/data", "-U", superuser, "-E", "UTF8", "--locale=C",
             "--auth-local=trust", "--auth-host=scram-sha-256", "--pwfile=\(directory)/pwfile", "--no-sync"],
            as: owner)
        try? FileManager.default.removeItem(atPath: directory + "/pwfile")
        guard outcome.status == 0 else { throw LocalServiceError("initdb failed: \(outcome.output)") }
    }

    private func startServer() throws {
        let options = "-p \(port) -k \(socketDirectory) -c listen_addresses=127.0.0.1 -c fsync=off"
            + " -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        let outcome = try CommandRunner.run(
            [binDirectory + "/pg_ctl", "-D", directory + "/data", "-l", directory + "/server.log", "-o", options, "-w", "-t", "60", "start"],
            as: owner)
        guard outcome.status == 0 else {
            let log = (try? String(contentsOfFile: directory + "/server.log", encoding: .utf8)) ?? ""
            throw LocalServiceError("PostgreSQL did not start: \(outcome.output)\n\(log.suffix(2000))")
        }
    }

    /// Finds PostgreSQL's server binaries: `CALLCTL_PG_BINDIR`, `pg_config --bindir`, the
    /// newest `/usr/lib/postgresql/*/bin`, then PATH.
    static func findBinDirectory() throws -> String {
        let fileManager = FileManager.default
        func hasInitdb(_ directory: String) -> Bool { fileManager.isExecutableFile(atPath: directory + "/initdb") }
        var candidates: [String] = []
        if let configured = ProcessInfo.processInfo.environment["CALLCTL_PG_BINDIR"] { candidates.append(configured) }
        if let outcome = try? CommandRunner.run(["pg_config", "--bindir"]), outcome.status == 0 {
            candidates.append(outcome.output.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let versions = (try? fileManager.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        candidates += versions.compactMap(Int.init).sorted(by: >).map { "/usr/lib/postgresql/\($0)/bin" }
        candidates += (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        guard let found = candidates.first(where: hasInitdb) else {
            throw LocalServiceError("PostgreSQL's server programs (initdb, pg_ctl) were not found; install them with `apt-get install postgresql` or set CALLCTL_PG_BINDIR")
        }
        return found
    }
}
