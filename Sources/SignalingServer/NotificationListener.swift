import Foundation
import Logging
import NIOConcurrencyHelpers
import Postgres
import TimeUnits

/// Receives what other daemons announce on a PostgreSQL notification channel (`LISTEN`) and
/// hands each payload to `handle`, with the listening connection for follow-up reads: the hub's
/// fan-out (`callctl_hub`) and the broker's messages (`callctl_broker`).
///
/// It owns a dedicated connection and a thread of its own, because waiting for a notification
/// blocks. A lost connection is re-opened with a growing pause (up to 5 s); `reconnected` runs
/// after each re-open, so a listener can catch up on what it may have missed.
final class NotificationListener: Sendable {
    private let channel: String
    private let database: ConnectionSettings
    private let logger: Logger
    private let handle: @Sendable (String, PGConnection) -> Void
    private let reconnected: @Sendable (PGConnection) -> Void
    private let running = NIOLockedValueBox(true)
    private let finished = NIOLockedValueBox<CheckedContinuation<Void, Never>?>(nil)

    init(channel: String, database: ConnectionSettings, logger: Logger,
         reconnected: @escaping @Sendable (PGConnection) -> Void = { _ in },
         handle: @escaping @Sendable (String, PGConnection) -> Void) {
        self.channel = channel
        self.database = database
        self.logger = logger
        self.handle = handle
        self.reconnected = reconnected
    }

    /// Listens until ``stop()``; returns when the thread has ended.
    func run() async {
        await withCheckedContinuation { continuation in
            finished.withLockedValue { $0 = continuation }
            let thread = Thread { [self] in
                loop()
                finished.withLockedValue { $0?.resume(); $0 = nil }
            }
            thread.name = "callctl-\(channel)"
            thread.start()
        }
    }

    /// Asks the thread to end (within half a second).
    func stop() { running.withLockedValue { $0 = false } }

    private var isRunning: Bool { running.withLockedValue { $0 } }

    private func loop() {
        var pause = Duration.milliseconds(250)
        var lost = false
        while isRunning {
            do {
                let connection = try PGConnection(settings: database, applicationName: "callctl serve \(channel) listener")
                try connection.listen(channel)
                if lost {
                    logger.notice("listener reconnected", metadata: ["channel": "\(channel)"])
                    reconnected(connection)
                }
                lost = false
                pause = .milliseconds(250)
                while isRunning {
                    guard let notification = try connection.waitForNotification(timeout: .milliseconds(500)) else { continue }
                    handle(notification.payload, connection)
                }
            } catch {
                if !lost {
                    logger.error("listener lost its database connection; retrying", metadata: ["channel": "\(channel)", "error": "\(error)"])
                }
                lost = true
                Thread.sleep(forTimeInterval: pause.seconds)
                pause = min(pause * 2, .seconds(5))
            }
        }
    }
}
