import Foundation
import LocalServices
import Testing

/// Runs `body` with a coturn of its own, stopped afterwards whatever happens.
func withCoturn<T>(_ authentication: ThrowawayCoturn.Authentication, _ body: (ThrowawayCoturn) throws -> T) throws -> T {
    let server = try ThrowawayCoturn(authentication: authentication)
    defer { server.stop() }
    return try body(server)
}

/// `callctl probe …` as monitoring runs it, timed, with the probe variables cleared unless given.
enum ProbeCLI {
    struct Run {
        let outcome: CommandRunner.Outcome
        let elapsed: Duration

        var status: Int32 { outcome.status }
        var stdout: String { outcome.standardOutput }
        var stderr: String { outcome.standardError }

        /// stdout as a JSON object.
        func json() throws -> [String: Any] { try outcome.json() }

        /// The checks of a JSON report, by name.
        func checks() throws -> [String: [String: Any]] {
            let list = try #require(try json()["checks"] as? [[String: Any]])
            return Dictionary(list.map { ($0["name"] as? String ?? "", $0) }, uniquingKeysWith: { first, _ in first })
        }

        /// The check names of a JSON report, in order.
        func checkNames() throws -> [String] {
            try #require(try json()["checks"] as? [[String: Any]]).compactMap { $0["name"] as? String }
        }
    }

    static func run(_ arguments: [String], environment: [String: String?] = [:]) throws -> Run {
        let start = ContinuousClock.now
        let outcome = try CLI.run(["probe"] + arguments, environment: environment)
        return Run(outcome: outcome, elapsed: ContinuousClock.now - start)
    }
}

/// The URIs of a throwaway coturn for each transport.
extension ThrowawayCoturn {
    func uri(_ scheme: String, _ transport: String) -> String {
        switch transport {
        case "udp": "\(scheme):127.0.0.1:\(port)"
        case "tcp": "\(scheme):127.0.0.1:\(port)?transport=tcp"
        default: "\(scheme)s:127.0.0.1:\(tlsPort)"
        }
    }

    /// `--ca-file` with the server's certificate for TLS, nothing otherwise.
    func trust(_ transport: String) -> [String] {
        transport == "tls" ? ["--ca-file", certificatePath] : []
    }
}
