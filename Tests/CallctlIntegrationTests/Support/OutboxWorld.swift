import Foundation
import LocalServices
import Postgres
import PusherProtocol
import Testing

/// A migrated database with helpers that write outbox rows as the lifecycle does and run
/// `callctl outbox …` against it with a chosen Pusher configuration.
struct OutboxWorld {
    /// The app the stand-in server checks signatures for.
    static let app = PusherApp(id: "5150", key: "outbox-tests-key", secret: "outbox-tests-secret-9f3a61")

    let database: TestDatabase
    let connection: PGConnection

    init(_ label: String = #function) throws {
        database = try TestDatabase(label)
        connection = try database.migrated()
    }

    /// Inserts `count` rows for appointments 1…count with a JSON payload each; returns their ids.
    @discardableResult
    func addRows(_ count: Int, event: String = "App\\Events\\AppointmentCallRequested") throws -> [Int64] {
        try connection.query("""
            INSERT INTO outbox (channel, event, payload)
            SELECT 'private-appointments.' || g, $1, jsonb_build_object('appointmentId', g, 'note', 'row ' || g || ' "quoted" \\ /')
            FROM generate_series(1, $2::int) g ORDER BY g RETURNING id
            """, event, Int32(count)).rows.map { try $0.decode(Int64.self, "id") }
    }

    /// The rows as the relay reads them: (id, channel, event, payload text).
    func rows() throws -> [(id: Int64, channel: String, event: String, payload: String)] {
        try connection.query("SELECT id, channel, event, payload::text AS payload FROM outbox ORDER BY id").rows.map {
            (try $0.decode(Int64.self, "id"), try $0.decode(String.self, "channel"), try $0.decode(String.self, "event"),
             try $0.decode(String.self, "payload"))
        }
    }

    /// One integer of a query.
    func count(_ sql: String) throws -> Int {
        Int(try connection.query(sql).first!.decode(Int64.self, at: 0))
    }

    /// `http://KEY:SECRET@127.0.0.1:PORT/apps/ID` for ``app`` (or another secret).
    static func url(port: Int, secret: String = app.secret) -> String {
        "http://\(app.key):\(secret)@127.0.0.1:\(port)/apps/\(app.id)"
    }

    /// Runs `callctl` on this database with only `pusher` as Pusher configuration, inside the test process.
    func run(_ arguments: [String], pusher: [String: String?] = [:]) async -> CommandRunner.Outcome {
        await InProcess.run(arguments + ["--log-format", "json"], environment: environment(pusher))
    }

    /// Runs the `callctl` binary as ``run(_:pusher:)`` does, for checks on a real process's output.
    func spawn(_ arguments: [String], pusher: [String: String?] = [:]) throws -> CommandRunner.Outcome {
        try CLI.run(arguments + ["--log-format", "json"], environment: environment(pusher))
    }

    /// This database and only `pusher` as Pusher configuration.
    private func environment(_ pusher: [String: String?]) -> [String: String?] {
        var environment: [String: String?] = [
            "DATABASE_URL": database.connectionString, "CALLCTL_PUSHER_URL": nil, "CALLCTL_PUSHER_APPS": nil,
            "REVERB_APP_ID": nil, "REVERB_APP_KEY": nil, "REVERB_APP_SECRET": nil,
        ]
        environment.merge(pusher) { $1 }
        return environment
    }

    /// Runs `callctl … --format json` and parses stdout.
    func runJSON(_ arguments: [String], pusher: [String: String?] = [:]) async throws -> (CommandRunner.Outcome, [String: Any]) {
        let outcome = await run(arguments + ["--format", "json"], pusher: pusher)
        return (outcome, try outcome.json())
    }
}
