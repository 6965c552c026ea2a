import CallStore
import Foundation
import Logging
import NIOConcurrencyHelpers
import Postgres
import TimeUnits

/// Receives the events other daemons fan out (`LISTEN callctl_hub`) and delivers them to this
/// daemon's subscribers.
///
/// It owns a dedicated connection and a thread of its own, because waiting for a notification
/// blocks. A lost connection is re-opened with a growing pause (up to 5 s); while it is down
/// other daemons' events do not reach this daemon's clients — the same promise Pusher makes —
/// while outbox events are safe in the database and relayed once it is back.
final class HubListener: Sendable {
    private let hub: Hub
    private let database: ConnectionSettings
    private let running = NIOLockedValueBox(true)
    private let finished = NIOLockedValueBox<CheckedContinuation<Void, Never>?>(nil)

    init(hub: Hub, database: ConnectionSettings) {
        self.hub = hub
        self.database = database
    }

    /// Listens until ``stop()``; returns when the thread has ended.
    func run() async {
        await withCheckedContinuation { continuation in
            finished.withLockedValue { $0 = continuation }
            let thread = Thread { [self] in
                loop()
                finished.withLockedValue { $0?.resume(); $0 = nil }
            }
            thread.name = "callctl-hub-listener"
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
                let connection = try PGConnection(settings: database, applicationName: "callctl serve hub listener")
                try connection.listen(HubFanout.notifyChannel)
                if lost { hub.logger.notice("hub listener reconnected") }
                lost = false
                pause = .milliseconds(250)
                while isRunning {
                    guard let notification = try connection.waitForNotification(timeout: .milliseconds(500)) else { continue }
                    deliver(notification.payload, connection: connection)
                }
            } catch {
                if !lost { hub.logger.error("hub listener lost its database connection; retrying", metadata: ["error": "\(error)"]) }
                lost = true
                Thread.sleep(forTimeInterval: pause.seconds)
                pause = min(pause * 2, .seconds(5))
            }
        }
    }

    private func deliver(_ payload: String, connection: PGConnection) {
        guard var fanout = HubFanout(text: payload), fanout.origin != hub.daemonID else { return }
        hub.heardPeer()
        if let id = fanout.stored {
            guard let body = try? HubStore(connection: connection).message(id: id), let full = HubFanout(text: body) else { return }
            fanout = full
        }
        if let event = fanout.hubEvent { hub.deliverLocally([event]) }
    }
}
