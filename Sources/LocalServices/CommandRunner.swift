import Foundation

/// Runs programs with `posix_spawn` and `waitpid` (Foundation's `Process` can miss a quick
/// child's exit under Swift concurrency). Children get /dev/null as stdin; stdout and stderr
/// are captured separately; the capture pipes are close-on-exec in the parent.
public enum CommandRunner {
    /// The outcome of a run.
    public struct Outcome: Sendable {
        /// The exit status (128 + signal number when killed by a signal).
        public let status: Int32
        /// What the program wrote to standard output.
        public let standardOutput: String
        /// What the program wrote to standard error.
        public let standardError: String

        /// Both streams, for error messages.
        public var output: String { standardOutput + standardError }

        /// An outcome with its status and what was written to each stream (a command run inside
        /// the test process reports in this shape too).
        public init(status: Int32, standardOutput: String, standardError: String) {
            self.status = status
            self.standardOutput = standardOutput
            self.standardError = standardError
        }
    }

    /// The path of the program `name` on the `PATH` (or in `/usr/bin`, `/usr/sbin`,
    /// `/usr/local/bin`), or nil when it is not installed.
    public static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/sbin", "/usr/local/bin"]
        return directories.map { $0 + "/" + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs `arguments[0]` (a path, or a name looked up in PATH) with the rest as arguments,
    /// as `user` when given (through `runuser`, so root can run PostgreSQL's tools).
    /// `environment` entries are added to (or, with nil, removed from) this process's environment.
    public static func run(_ arguments: [String], as user: String? = nil, environment: [String: String?] = [:]) throws -> Outcome {
        let command = user.map { ["runuser", "-u", $0, "--"] + arguments } ?? arguments
        let stdout = try Pipe2()
        let stderr = try Pipe2()
        let pid = try spawn(command, stdout: stdout.write, stderr: stderr.write, environment: environment)
        stdout.closeWrite()
        stderr.closeWrite()
        let (out, err) = drain(stdout.read, stderr.read)
        stdout.closeRead()
        stderr.closeRead()
        return Outcome(status: try wait(for: pid), standardOutput: String(decoding: out, as: UTF8.self),
                       standardError: String(decoding: err, as: UTF8.self))
    }

    /// Starts a program in the background with output discarded; returns its pid without waiting.
    @discardableResult
    public static func spawnDetached(_ arguments: [String], environment: [String: String?] = [:]) throws -> pid_t {
        let devNull = open("/dev/null", O_WRONLY | O_CLOEXEC)
        defer { close(devNull) }
        return try spawn(arguments, stdout: devNull, stderr: devNull, environment: environment)
    }

    /// Waits for a child started with `spawnDetached`; returns its exit status.
    public static func wait(for pid: pid_t) throws -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw LocalServiceError("waiting for process \(pid) failed: \(String(cString: strerror(errno)))") }
        }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    private static func spawn(_ arguments: [String], stdout: Int32, stderr: Int32, environment: [String: String?]) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        // Threads of this process block signals (Dispatch handles them); a child inherits the
        // mask, so reset it and the handlers, or the child would ignore SIGTERM and SIGINT.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        var defaults = sigset_t()
        sigfillset(&defaults)
        sigdelset(&defaults, SIGKILL)
        sigdelset(&defaults, SIGSTOP)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var variables = ProcessInfo.processInfo.environment
        for (key, value) in environment { variables[key] = value }
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = variables.map { strdup("\($0)=\($1)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid = pid_t()
        let result = posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw LocalServiceError("cannot run \(arguments[0]): \(String(cString: strerror(result)))")
        }
        return pid
    }

    /// Reads two pipes to their ends together, so neither fills up while the other is read.
    private static func drain(_ first: Int32, _ second: Int32) -> ([UInt8], [UInt8]) {
        var collected: [[UInt8]] = [[], []]
        var open = [true, true]
        var buffer = [UInt8](repeating: 0, count: 16_384)
        let descriptors = [first, second]
        while open.contains(true) {
            var polls = descriptors.indices.map { pollfd(fd: open[$0] ? descriptors[$0] : -1, events: Int16(POLLIN), revents: 0) }
            if poll(&polls, 2, -1) < 0 {
                if errno == EINTR { continue }
                break
            }
            for index in descriptors.indices where open[index] && polls[index].revents != 0 {
                let count = read(descriptors[index], &buffer, buffer.count)
                if count > 0 { collected[index] += buffer[0..<count] } else if count == 0 || errno != EINTR { open[index] = false }
            }
        }
        return (collected[0], collected[1])
    }
}

/// A pipe whose descriptors are close-on-exec in this process.
private struct Pipe2 {
    let read: Int32
    let write: Int32

    init() throws {
        var descriptors: [Int32] = [0, 0]
        guard pipe(&descriptors) == 0 else { throw LocalServiceError("cannot create a pipe: \(String(cString: strerror(errno)))") }
        descriptors.forEach { _ = fcntl($0, F_SETFD, FD_CLOEXEC) }
        read = descriptors[0]
        write = descriptors[1]
    }

    func closeWrite() { close(write) }
    func closeRead() { close(read) }
}

/// A local server could not be set up; the message says what to install or check.
public struct LocalServiceError: Error, CustomStringConvertible, Sendable {
    /// What went wrong and what to do.
    public let description: String

    /// Creates an error with its message.
    public init(_ description: String) { self.description = description }
}
