import CallStore
import Foundation
import Logging
import NIOConcurrencyHelpers
import Postgres

/// Writes the subscriptions of channels without members (public and private channels) to
/// `hub_subscriptions` in batches, so a flood of subscriptions costs the database one
/// transaction per flush instead of one per subscription, and cannot take its time from the
/// call lifecycle. Those rows serve only channel queries (`/apps/{id}/channels`), which flush
/// first on this daemon; other daemons see them within one flush interval.
///
/// Changes are coalesced per socket and channel (the last wins; a closed socket drops its
/// pending changes), and at most ``capacity`` subscriptions wait: beyond it a subscription is
/// refused. A failed flush keeps its changes (under any newer ones) for the next.
final class SubscriptionWriter: Sendable {
    /// The most changes waiting for a flush.
    static let capacity = 50_000

    private struct SocketChanges {
        /// Channel → (app, subscribed) in the order first changed.
        var channels: [String: (app: String, subscribed: Bool)] = [:]
        var order: [String] = []
        var disconnected = false
    }

    private struct Pending {
        var sockets: [String: SocketChanges] = [:]
        var order: [String] = []
        var count = 0
    }

    private let pending = NIOLockedValueBox(Pending())
    private let flushing = NIOLockedValueBox(false)
    private let failing = NIOLockedValueBox(false)

    /// Queues a change; false when ``capacity`` changes already wait (only a subscription is refused).
    @discardableResult
    func enqueue(_ change: SubscriptionChange) -> Bool {
        pending.withLockedValue { pending in
            switch change {
            case .subscribe(let socket, let app, let channel), .unsubscribe(let socket, let app, let channel):
                let subscribing = if case .subscribe = change { true } else { false }
                if subscribing && pending.count >= Self.capacity { return false }
                if pending.sockets[socket] == nil { pending.order.append(socket) }
                // Changed in place: copying a socket's changes out and back would cost their size each time.
                if pending.sockets[socket, default: SocketChanges()].channels.updateValue((app, subscribing), forKey: channel) == nil {
                    pending.sockets[socket, default: SocketChanges()].order.append(channel)
                    pending.count += 1
                }
            case .disconnect(let socket):
                if pending.sockets[socket] == nil { pending.order.append(socket) }
                pending.count -= pending.sockets[socket]?.channels.count ?? 0
                pending.count += pending.sockets[socket]?.disconnected == true ? 0 : 1
                pending.sockets[socket] = SocketChanges(disconnected: true)
            }
            return true
        }
    }

    /// What a flush would write now, in order.
    var pendingChanges: [SubscriptionChange] { pending.withLockedValue { Self.changes($0) } }

    /// Writes what waits, in one transaction on `pool` (which also records the occupancy
    /// webhooks it decides, with `webhooks`); one flush at a time.
    func flush(daemon: UUID, pool: PGPool, webhooks: WebhookRecorder?, logger: Logger) async {
        guard flushing.withLockedValue({ busy in defer { busy = true }; return !busy }) else { return }
        defer { flushing.withLockedValue { $0 = false } }
        let taken = pending.withLockedValue { pending in
            defer { pending = Pending() }
            return pending
        }
        guard taken.count > 0 else { return }
        let changes = Self.changes(taken)
        do {
            try await pool.withConnection { try HubStore(connection: $0, webhooks: webhooks).apply(changes, daemon: daemon) }
            if failing.withLockedValue({ was in defer { was = false }; return was }) {
                logger.notice("subscriptions are written again")
            }
        } catch {
            restore(taken)
            if !failing.withLockedValue({ was in defer { was = true }; return was }) {
                logger.warning("subscriptions not written; retrying", metadata: ["error": "\(error)", "waiting": "\(taken.count)"])
            }
        }
    }

    /// Puts back changes a failed flush took, under whatever arrived since.
    private func restore(_ taken: Pending) {
        pending.withLockedValue { newer in
            var merged = taken
            for socket in newer.order {
                guard let changes = newer.sockets[socket] else { continue }
                if merged.sockets[socket] == nil { merged.order.append(socket) }
                if changes.disconnected {
                    merged.count -= merged.sockets[socket]?.channels.count ?? 0
                    merged.count += merged.sockets[socket]?.disconnected == true ? 0 : 1
                    merged.sockets[socket] = changes
                    continue
                }
                for channel in changes.order {
                    guard let entry = changes.channels[channel] else { continue }
                    if merged.sockets[socket, default: SocketChanges()].channels.updateValue(entry, forKey: channel) == nil {
                        merged.sockets[socket, default: SocketChanges()].order.append(channel)
                        merged.count += 1
                    }
                }
            }
            newer = merged
        }
    }

    private static func changes(_ pending: Pending) -> [SubscriptionChange] {
        pending.order.flatMap { socket -> [SubscriptionChange] in
            guard let changes = pending.sockets[socket] else { return [] }
            if changes.disconnected { return [.disconnect(socket: socket)] }
            return changes.order.compactMap { channel in
                changes.channels[channel].map { entry in
                    entry.subscribed ? .subscribe(socket: socket, appID: entry.app, channel: channel)
                        : .unsubscribe(socket: socket, appID: entry.app, channel: channel)
                }
            }
        }
    }
}
