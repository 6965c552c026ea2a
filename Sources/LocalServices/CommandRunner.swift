import Foundation

/// Runs helper programs with `posix_spawn` and `waitpid` (Foundation's `Process` can miss a
/// quick child's exit under Swift concurrency). Children get /dev/null as stdin and the
/// capture pipe as stdout and stderr; the pipe's own descriptors are close-on-exec.
public enum CommandRunner {
    /// The outcome of a run.
    public struct Outcome: Sendable {
        /// The exit status (128 + signal number when killed by a signal).
        public let status: Int32
        /// Standard output and standard error, interleaved.
        public let output: String
    }

    /// Runs `arguments[0]` (a path, or a name looked up in PATH) with the rest as arguments,
    /// as `user` when given (through `runuser`, so root can run PostgreSQL's tools).
    public static func run(_ arguments: [String], as user: String? = nil) throws -> Outcome {
        let command = user.map { ["runuser", "-u", $0, "--"] + arguments } ?? arguments
        var descriptors: [Int32] = [0, 0]
        guard pipe(&descriptors) == 0 else { throw LocalServiceError("cannot create a pipe: \(errnoText())") }
        descriptors.forEach { _ = fcntl($0, F_SETFD, FD_CLOEXEC) }
        let pid: pid_t
        do {
            pid = try spawn(command, output: descriptors[1])
        } catch {
            close(descriptors[0])
            close(descriptors[1])
            throw error
        }
        close(descriptors[1])
        var output = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(descriptors[0], &buffer, buffer.count)
            if count > 0 { output += buffer[0..<count]; continue }
            if count < 0, errno == EINTR { continue }
            break
        }
        close(descriptors[0])
        return Outcome(status: try wait(for: pid), output: String(decoding: output, as: UTF8.self))
    }

    /// Starts a program in the background with output discarded, and does not wait for it.
    public static func spawnDetached(_ arguments: [String]) throws {
        let devNull = open("/dev/null", O_WRONLY | O_CLOEXEC)
        defer { close(devNull) }
        _ = try spawn(arguments, output: devNull)
    }

    private static func spawn(_ arguments: [String], output: Int32) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, output, 1)
        posix_spawn_file_actions_adddup2(&actions, output, 2)
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let result = posix_spawnp(&pid, arguments[0], &actions, nil, argv, environ)
        guard result == 0 else {
            throw LocalServiceError("cannot run \(arguments[0]): \(String(cString: strerror(result)))")
        }
        return pid
    }

    private static func wait(for pid: pid_t) throws -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw LocalServiceError("waiting for process \(pid) failed: \(errnoText())") }
        }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}

/// Loopback ports and process identity helpers.
public enum LocalHost {
    /// A TCP port on 127.0.0.1 that was free a moment ago.
    public static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw LocalServiceError("cannot open a socket to find a free port") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(descriptor, generic, length) == 0 && getsockname(descriptor, generic, &length) == 0
            }
        }
        guard bound else { throw LocalServiceError("cannot bind 127.0.0.1 to find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// True when this process runs as root (PostgreSQL then runs as the `postgres` user).
    public static var isRoot: Bool { geteuid() == 0 }
}

/// A local server could not be set up; the message says what to install or check.
public struct LocalServiceError: Error, CustomStringConvertible, Sendable {
    /// What went wrong and what to do.
    public let description: String

    /// Creates an error with its message.
    public init(_ description: String) { self.description = description }
}
