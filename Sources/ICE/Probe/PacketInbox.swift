import NIOConcurrencyHelpers
import NIOCore

/// What a channel handler hands to the probe, in arrival order.
enum InboxEvent: Sendable {
    /// One datagram, or one STUN message or ChannelData frame cut from a stream.
    case packet([UInt8])
    /// The TLS handshake finished.
    case tlsEstablished
}

/// What waiting on an inbox gives.
enum InboxOutcome: Sendable {
    /// The next event.
    case event(InboxEvent)
    /// Nothing arrived before the deadline.
    case timedOut
    /// The channel failed or closed; every later wait gives the same.
    case failed(any Error)
}

/// A bounded queue between a channel's event loop and the async probe code: handlers
/// deliver events, the probe waits for the next one until a deadline. Timeouts are timers
/// on the event loop, so waiting never blocks a thread.
final class PacketInbox: Sendable {
    /// The most events kept unread; a flood beyond it is dropped.
    static let capacity = 256

    private struct Waiter {
        let id: Int
        let continuation: CheckedContinuation<InboxOutcome, Never>
        var timer: Scheduled<Void>?
    }

    private struct State {
        var events: [InboxEvent] = []
        var failure: (any Error)?
        var waiter: Waiter?
        var lastWaiterID = 0
    }

    private let state = NIOLockedValueBox(State())
    private let eventLoop: any EventLoop

    /// An inbox whose timers run on `eventLoop`.
    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Hands an event to the waiting probe, or queues it.
    func deliver(_ event: InboxEvent) {
        let waiter: Waiter? = state.withLockedValue { state in
            guard state.failure == nil else { return nil }
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            if state.events.count < Self.capacity { state.events.append(event) }
            return nil
        }
        waiter?.timer?.cancel()
        waiter?.continuation.resume(returning: .event(event))
    }

    /// Records the first failure; queued events are still read before it.
    func fail(_ error: any Error) {
        let waiter: Waiter? = state.withLockedValue { state in
            guard state.failure == nil else { return nil }
            state.failure = error
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.timer?.cancel()
        waiter?.continuation.resume(returning: .failed(error))
    }

    /// The next event, waiting at most until `deadline`.
    func next(until deadline: NIODeadline) async -> InboxOutcome {
        await withCheckedContinuation { (continuation: CheckedContinuation<InboxOutcome, Never>) in
            let waiterID: Int? = state.withLockedValue { state in
                if !state.events.isEmpty {
                    continuation.resume(returning: .event(state.events.removeFirst()))
                } else if let failure = state.failure {
                    continuation.resume(returning: .failed(failure))
                } else if deadline <= .now() {
                    continuation.resume(returning: .timedOut)
                } else {
                    state.lastWaiterID += 1
                    state.waiter = Waiter(id: state.lastWaiterID, continuation: continuation)
                    return state.lastWaiterID
                }
                return nil
            }
            guard let waiterID else { return }
            let timer = eventLoop.scheduleTask(deadline: deadline) { self.expire(waiterID) }
            let stillWaiting = state.withLockedValue { state in
                guard state.waiter?.id == waiterID else { return false }
                state.waiter?.timer = timer
                return true
            }
            if !stillWaiting { timer.cancel() }
        }
    }

    /// Ends the wait `id` with a timeout, unless an event ended it first.
    private func expire(_ id: Int) {
        let waiter: Waiter? = state.withLockedValue { state in
            guard let waiter = state.waiter, waiter.id == id else { return nil }
            state.waiter = nil
            return waiter
        }
        waiter?.continuation.resume(returning: .timedOut)
    }
}
