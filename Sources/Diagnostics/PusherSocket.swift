import Foundation
import HummingbirdWSClient
import Logging
import NIOSSL
import NIOWebSocket
import PusherProtocol

/// What happened on the diagnostic WebSocket, in order.
enum SocketEvent: Sendable {
    /// The server answered the upgrade with 101.
    case upgraded
    /// A Pusher protocol frame.
    case message(PusherMessage)
    /// A text frame that is not a Pusher message (its first characters).
    case foreign(String)
    /// A text frame, whole, on a socket that does not read Pusher messages (``PusherSocket/Frames/raw``).
    case text(String)
    /// The connection ended; the close code and reason when the server sent a close frame.
    case closed(code: Int?, reason: String?)
    /// The client failed before or during the connection.
    case failed(any Error)
}

/// One pusher-js-like WebSocket connection driven step by step: the client runs in a task of
/// its own, frames land in an ``SocketInbox`` that the checks read with a time limit, and
/// outgoing frames go through a stream the connection's handler writes. With ``Frames/raw`` it
/// is a plain text WebSocket (`diagnose peerjs`).
final class PusherSocket: Sendable {
    /// How incoming text frames are read.
    enum Frames: Sendable {
        /// As Pusher messages (``SocketEvent/message(_:)``, else ``SocketEvent/foreign(_:)``).
        case pusher
        /// As they are (``SocketEvent/text(_:)``).
        case raw
    }

    private let inbox = SocketInbox()
    private let outgoing: AsyncStream<String>
    private let writer: AsyncStream<String>.Continuation
    private let task: Task<Void, Never>

    /// Starts connecting to `url`, trusting the certificates of `caFile` besides the system's for wss.
    init(url: String, caFile: String? = nil, frames: Frames = .pusher) {
        (outgoing, writer) = AsyncStream.makeStream(of: String.self)
        let inbox = inbox, outgoing = outgoing
        task = Task {
            do {
                var tls = TLSConfiguration.makeClientConfiguration()
                if let caFile { tls.additionalTrustRoots = [.file(caFile)] }
                let close = try await WebSocketClient.connect(url: url, tlsConfiguration: tls,
                                                              logger: Logger(label: "callctl.diagnose")) { inbound, outbound, _ in
                    await inbox.deliver(.upgraded)
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            for await text in outgoing { try await outbound.write(.text(text)) }
                            // The diagnosis is done (the stream finished): say goodbye so that inbound ends too.
                            if !Task.isCancelled { try await outbound.close(.normalClosure, reason: "diagnosis done") }
                        }
                        for try await frame in inbound.messages(maxSize: 1 << 20) {
                            guard case .text(let text) = frame else { continue }
                            if case .raw = frames {
                                await inbox.deliver(.text(text))
                            } else if let message = try? PusherMessage.decode(text, maxBytes: 1 << 20) {
                                await inbox.deliver(.message(message))
                            } else {
                                await inbox.deliver(.foreign(String(text.prefix(80))))
                            }
                        }
                        group.cancelAll()
                    }
                }
                await inbox.deliver(.closed(code: close.map { Int(UInt16(webSocketErrorCode: $0.closeCode)) }, reason: close?.reason))
            } catch {
                await inbox.deliver(.failed(error))
            }
        }
    }

    /// The next event, or nil when none came by `deadline`.
    func next(by deadline: ContinuousClock.Instant) async -> SocketEvent? {
        await inbox.next(by: deadline)
    }

    /// Sends a Pusher message.
    func send(_ message: PusherMessage) {
        writer.yield(message.encoded())
    }

    /// Sends a text frame.
    func send(text: String) {
        writer.yield(text)
    }

    /// Ends the connection (and the client task).
    func close() {
        writer.finish()
        task.cancel()
    }
}

/// Buffers socket events for a reader that waits with a deadline.
actor SocketInbox {
    private var buffered: [SocketEvent] = []
    private var waiter: (id: Int, continuation: CheckedContinuation<SocketEvent?, Never>)?
    private var nextID = 0

    /// Hands an event to the waiting reader, or keeps it for the next one.
    func deliver(_ event: SocketEvent) {
        if let waiter {
            self.waiter = nil
            waiter.continuation.resume(returning: event)
        } else {
            buffered.append(event)
        }
    }

    /// The oldest undelivered event, or nil when none arrives by `deadline`.
    func next(by deadline: ContinuousClock.Instant) async -> SocketEvent? {
        if !buffered.isEmpty { return buffered.removeFirst() }
        guard deadline > .now else { return nil }
        nextID += 1
        let id = nextID
        return await withCheckedContinuation { continuation in
            waiter = (id, continuation)
            Task {
                try? await Task.sleep(until: deadline)
                self.expire(id)
            }
        }
    }

    private func expire(_ id: Int) {
        guard let waiter, waiter.id == id else { return }
        self.waiter = nil
        waiter.continuation.resume(returning: nil)
    }
}
