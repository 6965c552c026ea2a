import Logging
import Postgres

/// What the relay threads share (the outbox relay, the external publisher, the webhook relay):
/// a dedicated PostgreSQL connection, opened with what `prepare` sets up on it (`LISTEN`),
/// handed to `pass` again and again until `control` stops. A failure closes the connection, is
/// logged once with what waits meanwhile, and the connection is reopened with backoff
/// (``reconnectDelay(afterFailures:)``); the first success after that is logged too.
struct DatabaseLoop: Sendable {
    /// The longest wait inside `waitForNotification`, so a stop is noticed promptly.
    static let waitSlice = Duration.milliseconds(250)

    let database: ConnectionSettings
    /// Who runs, in log lines and the connection's `application_name`: "outbox relay".
    let name: String
    /// What becomes of the work while the database is away, for the failure's log line.
    let meanwhile: String
    let control: RelayControl
    let logger: Logger

    /// Runs `pass` on the live connection until the control stops.
    func run(prepare: (PGConnection) throws -> Void = { _ in }, pass: (PGConnection) throws -> Void) {
        var connection: PGConnection?
        var failures = 0
        defer { connection?.close() }
        while !control.isStopped {
            do {
                let live = try connection ?? open(prepare)
                connection = live
                if failures > 0 {
                    logger.notice("\(name) reconnected to PostgreSQL", metadata: ["failed_attempts": "\(failures)"])
                    failures = 0
                }
                try pass(live)
            } catch {
                connection?.close()
                connection = nil
                failures += 1
                if failures == 1 {
                    let cause = (error as? PostgresError)?.isUnavailable == true ? "lost PostgreSQL" : "failed"
                    logger.error("\(name) \(cause); \(meanwhile)", metadata: ["error": "\(error)"])
                }
                control.sleep(Self.reconnectDelay(afterFailures: failures))
            }
        }
    }

    /// 250 ms after the first failure, doubling to at most 5 s.
    static func reconnectDelay(afterFailures failures: Int) -> Duration {
        min(.milliseconds(250 << min(max(failures, 1) - 1, 5)), .seconds(5))
    }

    /// Returns after a notification (then after `linger`, draining the others: one pass handles
    /// them all), after `poll`, or when the control stops.
    func waitForNotification(on connection: PGConnection, poll: Duration, linger: Duration = .zero) throws {
        let clock = ContinuousClock()
        let deadline = clock.now + poll
        while !control.isStopped {
            let remaining = clock.now.duration(to: deadline)
            guard remaining > .zero else { return }
            if try connection.waitForNotification(timeout: min(remaining, Self.waitSlice)) != nil {
                if linger > .zero { control.sleep(linger) }
                while try connection.waitForNotification(timeout: .zero) != nil {}
                return
            }
        }
    }

    private func open(_ prepare: (PGConnection) throws -> Void) throws -> PGConnection {
        let connection = try PGConnection(settings: database, applicationName: "callctl \(name)")
        do {
            try prepare(connection)
        } catch {
            connection.close()
            throw error
        }
        return connection
    }
}
