import Foundation
import LocalServices
import Testing

/// The throwaway coturn the demo and the tests run: its secret stays out of `ps`, and a coturn
/// killed by someone else (an on-call practising `playbooks/turn-down.md`) is reaped at once.
@Suite("throwaway coturn: secret out of ps, killed server reaped", .serialized)
struct CoturnProcessTests {
    static let secret = "coturn-process-secret-2718"

    @Test("the shared secret is in a 0600 config file, not in /proc/<pid>/cmdline")
    func secretNotOnTheCommandLine() throws {
        try withCoturn(.sharedSecret(Self.secret)) { server in
            let commandLine = try String(decoding: Data(contentsOf: URL(fileURLWithPath: "/proc/\(server.processID)/cmdline")), as: UTF8.self)
            #expect(commandLine.contains("turnserver") && commandLine.contains(server.configurationPath), "\(commandLine)")
            #expect(!commandLine.contains(Self.secret))
            let attributes = try FileManager.default.attributesOfItem(atPath: server.configurationPath)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        }
    }

    @Test("a coturn killed from outside is reaped within seconds: no zombie left while its owner runs on")
    func killedServerIsReaped() throws {
        try withCoturn(.sharedSecret(Self.secret)) { server in
            let pid = server.processID
            #expect(server.isRunning)
            #expect(kill(pid, SIGTERM) == 0)
            let deadline = Date().addingTimeInterval(5)
            while FileManager.default.fileExists(atPath: "/proc/\(pid)"), Date() < deadline { usleep(20_000) }
            #expect(!FileManager.default.fileExists(atPath: "/proc/\(pid)"), "pid \(pid) is left as a zombie")
            #expect(!server.isRunning)
        }
    }
}
