import Foundation
import LocalServices
import Testing

/// A real `callctl serve` (``ServeWorld``) set up for `diagnose echo`: an appointment of the
/// clinic's doctor and patient, and a stranger in another tenant. ``flags(_:)`` gives the flags
/// of a healthy setup (the daemon is both the WebSocket server and the app's auth endpoint),
/// which a test overrides to inject one fault.
final class DiagnoseEchoWorld {
    let serve: ServeWorld
    let tenant: Int64
    let appointment: Int64
    let stranger: Int64

    init(label: String = #function) throws {
        serve = try ServeWorld(label: label)
        let connection = serve.world.connection
        tenant = try connection.query("SELECT tenant_id FROM users WHERE id = $1", serve.doctor).first!.decode(Int64.self, "tenant_id")
        appointment = try serve.appointment()
        let other = try connection.query("INSERT INTO tenants (slug, name) VALUES ('other', 'Other') RETURNING id")
            .first!.decode(Int64.self, "id")
        stranger = try connection.query("""
            INSERT INTO users (tenant_id, name, email, role) VALUES ($1, 'stranger', 'stranger@example.test', 'doctor') RETURNING id
            """, other).first!.decode(Int64.self, "id")
    }

    var port: Int { serve.server.port }
    var channel: String { "private-appointments.\(appointment)" }
    var presenceChannel: String { "presence-tenant.\(tenant).editing.appointment.\(appointment)" }

    /// The doctor's token.
    func token() throws -> String { try serve.token(serve.doctor) }

    /// Every flag of a healthy run, with `overrides` replacing (or, with nil, removing) some.
    func flags(_ overrides: [String: String?] = [:]) throws -> [String] {
        var values: [String: String?] = [
            "--url": "ws://127.0.0.1:\(port)", "--app-id": ServeProcess.appID, "--app-key": ServeProcess.appKey,
            "--app-secret": ServeProcess.appSecret, "--auth-url": "http://127.0.0.1:\(port)/broadcasting/auth",
            "--token": try token(), "--foreign-token": try serve.token(stranger), "--channel": channel,
            "--presence-channel": presenceChannel, "--format": "json",
        ]
        values.merge(overrides) { $1 }
        return values.sorted { $0.key < $1.key }.flatMap { flag, value in value.map { [flag, $0] } ?? [] }
    }
}

/// One finished `callctl diagnose echo` with its wall time.
struct EchoRun {
    let outcome: CommandRunner.Outcome
    /// Seconds from spawn to exit.
    let seconds: Double

    /// Runs `callctl diagnose echo arguments`.
    static func run(_ arguments: [String], environment: [String: String?] = [:]) throws -> EchoRun {
        let start = Date()
        let outcome = try CLI.run(["diagnose", "echo"] + arguments, environment: environment)
        return EchoRun(outcome: outcome, seconds: Date().timeIntervalSince(start))
    }

    /// The `checks` of the JSON output.
    func checks() throws -> [[String: Any]] {
        try #require(try outcome.json()["checks"] as? [[String: Any]], "\(outcome.output)")
    }

    /// Each check's name and status, e.g. `["dns": "pass", …]`.
    func statuses() throws -> [String: String] {
        Dictionary(uniqueKeysWithValues: try checks().map { ($0["name"] as? String ?? "?", $0["status"] as? String ?? "?") })
    }

    /// The first failed check's name and verdict.
    func failure() throws -> (name: String, verdict: String) {
        let failed = try #require(try checks().first { $0["status"] as? String == "fail" }, "no check failed: \(outcome.output)")
        return (failed["name"] as? String ?? "?", failed["verdict"] as? String ?? "")
    }

    /// Records an issue unless exactly the checks before `name` passed (or were skipped as not
    /// applicable), `name` failed with a verdict containing every one of `phrases`, the rest
    /// were skipped, the exit code is 1 and the run took under 10 s.
    func expectFailure(at name: String, saying phrases: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(outcome.status == 1, "\(outcome.output)", sourceLocation: sourceLocation)
        #expect(seconds < 10, "took \(seconds) s", sourceLocation: sourceLocation)
        let failure = try failure()
        #expect(failure.name == name, "\(outcome.output)", sourceLocation: sourceLocation)
        for phrase in phrases {
            #expect(failure.verdict.contains(phrase), "verdict: \(failure.verdict)", sourceLocation: sourceLocation)
        }
        let names = try checks().map { $0["name"] as? String ?? "?" }
        let statuses = try statuses()
        guard let index = names.firstIndex(of: name) else { return }
        #expect(names[..<index].allSatisfy { ["pass", "skip", "warn"].contains(statuses[$0]) }, "\(statuses)", sourceLocation: sourceLocation)
        #expect(names[(index + 1)...].allSatisfy { statuses[$0] == "skip" }, "\(statuses)", sourceLocation: sourceLocation)
    }
}
