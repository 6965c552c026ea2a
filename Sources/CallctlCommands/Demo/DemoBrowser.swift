import Diagnostics
import Foundation
import PusherProtocol

/// A participant's browser running Laravel Echo: subscribed to appointment channels through
/// the daemon's `/broadcasting/auth`, it prints every event as it arrives and counts them.
final class DemoBrowser: Sendable {
    private let listener: EchoListener
    private let counter = DemoCounter()
    private let task: Task<Void, Never>

    /// Subscribes `person` (with `token`) to `channels` and starts printing what arrives.
    init(person: DemoPerson, token: String, channels: [String], socketURL: String, appKey: String, authURL: String,
         output: Output) async throws {
        let listener = try await EchoListener.subscribe(url: socketURL, appKey: appKey, authURL: authURL, token: token, channels: channels)
        self.listener = listener
        let counter = counter
        let label = "\(person.name)'s browser"
        task = Task {
            while !Task.isCancelled {
                guard let event = await listener.next(by: .now + .seconds(1)) else { continue }
                counter.add()
                output.line("        ⇠ \(label) got \(Self.shortName(event.event)) on \(event.channel)\(Self.summary(event.data))")
            }
        }
    }

    /// Events received so far.
    var received: Int { counter.value }

    /// Waits until `count` events arrived or `timeout` passed; returns how many arrived.
    func waitFor(_ count: Int, timeout: Duration) async -> Int {
        let deadline = ContinuousClock.now + timeout
        while counter.value < count, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return counter.value
    }

    /// Closes the WebSocket.
    func close() {
        task.cancel()
        listener.close()
    }

    /// `AppointmentCallRequested` for `App\Events\AppointmentCallRequested`.
    static func shortName(_ event: String) -> String {
        String(event.split(separator: "\\").last ?? Substring(event))
    }

    /// The interesting members of a payload, e.g. ` (reason timeout_no_answer, 2 s)`.
    static func summary(_ data: PusherJSON) -> String {
        var parts: [String] = []
        if let from = data["from"], let name = from["name"]?.stringValue { parts.append("from \(name)") }
        if let reason = data["reason"]?.stringValue { parts.append("reason \(reason)") }
        if case .integer(let seconds)? = data["duration"] { parts.append("\(seconds) s") }
        return parts.isEmpty ? "" : " (" + parts.joined(separator: ", ") + ")"
    }
}

/// A thread-safe count.
final class DemoCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    /// Adds one.
    func add() { lock.withLock { count += 1 } }

    /// The count.
    var value: Int { lock.withLock { count } }
}
