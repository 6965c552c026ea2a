import ArgumentParser
import Dispatch
import Postgres

/// `callctl outbox`: the events not yet delivered, and delivery without a daemon.
struct OutboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox",
        abstract: "Show the backlog of events not yet delivered; flush it to an external Pusher/Reverb server.",
        discussion: """
        Every state change writes its event to the outbox table in the same transaction. \
        `callctl serve` relays each row to its WebSocket subscribers (relayed_at) and, when \
        CALLCTL_PUSHER_URL names an external Pusher-compatible server, publishes it there too \
        (published_at, retried with backoff up to 60 s while that server is down). Such a daemon \
        declares its server in the database, and from then on every row waits for it, whichever \
        daemon relays it (`callctl outbox external` shows it). Without an external server a \
        relayed row is published. The backlog is every row not yet published.

        Exit codes: 0 success, 1 a row failed to publish or the backlog is older than \
        --max-age, 64 usage, 69 database unavailable, 78 bad configuration.

        Examples:
          callctl outbox status
          callctl outbox status --max-age 120 --format json
          callctl outbox external
          CALLCTL_PUSHER_URL=https://KEY:SECRET@reverb.example.com/apps/APP_ID callctl outbox flush
        """,
        subcommands: [OutboxStatusCommand.self, OutboxFlush.self, OutboxExternal.self]
    )
}

/// Runs `body` on a new connection on a dispatch queue: libpq and libcurl block, and Swift's
/// cooperative pool must not.
func withBlockingConnection<T: Sendable>(_ session: CommandSession,
                                         _ body: @escaping @Sendable (PGConnection) throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Result {
                let connection = try session.connect()
                defer { connection.close() }
                return try body(connection)
            })
        }
    }
}
