import Foundation

/// What the throwaway servers share: loopback addresses and ports, their temporary
/// directory, and the watchdog that cleans up when the owning process dies.
public enum LocalHost {
    /// A TCP port on 127.0.0.1 that was free a moment ago.
    public static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw LocalServiceError("cannot open a socket to find a free port") }
        defer { close(descriptor) }
        var address = loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(descriptor, generic, length) == 0 && getsockname(descriptor, generic, &length) == 0
            }
        }
        guard bound else { throw LocalServiceError("cannot bind 127.0.0.1 to find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// The IPv4 socket address 127.0.0.1:`port`.
    static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return address
    }

    /// True when this process runs as root (PostgreSQL then runs as the `postgres` user).
    public static var isRoot: Bool { geteuid() == 0 }

    /// A new private directory under the temporary directory, named `prefix` plus a random suffix.
    public static func makeTemporaryDirectory(prefix: String) throws -> String {
        var template = Array((NSTemporaryDirectory() + prefix + "-XXXXXX").utf8CString)
        guard let created = mkdtemp(&template) else {
            throw LocalServiceError("cannot create a temporary directory for \(prefix): \(String(cString: strerror(errno)))")
        }
        return String(cString: created)
    }

    /// Starts a detached shell that waits until this process is gone, then runs `cleanup`
    /// (a shell command) and removes `directory`. Returns the watchdog's pid, to kill it when
    /// the owner stops the server itself.
    static func startWatchdog(cleanup: String, directory: String) throws -> pid_t {
        let script = "while kill -0 \(getpid()) 2>/dev/null; do sleep 1; done; \(cleanup); rm -rf '\(directory)'"
        return try CommandRunner.spawnDetached(["setsid", "sh", "-c", script])
    }

    /// The watchdog's shell command that ends `pid` if it is still the server started in
    /// `directory` (its command line names it): with SIGTERM first and SIGKILL 2 s later when
    /// `graceful`, else with SIGKILL at once.
    static func killCommand(pid: pid_t, directory: String, graceful: Bool) -> String {
        let kill = graceful ? "kill -TERM \(pid); sleep 2; kill -9 \(pid) 2>/dev/null" : "kill -9 \(pid)"
        return "if tr '\\0' ' ' < /proc/\(pid)/cmdline 2>/dev/null | grep -qF '\(directory)'; then \(kill); fi"
    }

    /// Kills a child with SIGKILL and reaps it.
    static func kill(_ pid: pid_t) {
        guard Foundation.kill(pid, SIGKILL) == 0 else { return }
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
    }

    /// A self-signed P-256 certificate (`cert.pem`, key `key.pem`) in `directory`, valid two
    /// days for 127.0.0.1 and localhost; `user` names who needs it, for the error message.
    static func makeSelfSignedCertificate(in directory: String, for user: String) throws {
        let outcome = try CommandRunner.run([
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", directory + "/key.pem", "-out", directory + "/cert.pem", "-days", "2",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ])
        guard outcome.status == 0 else {
            throw LocalServiceError("openssl could not make a certificate for \(user) (install openssl): \(outcome.output)")
        }
    }
}
