import CLibPQ
import Foundation

/// A message received from `NOTIFY`.
public struct PGNotification: Sendable, Equatable {
    /// The channel it was sent on.
    public let channel: String
    /// The payload text (may be empty).
    public let payload: String
    /// The backend process id of the sender.
    public let senderPID: Int32
}

extension PGConnection {
    /// Subscribes this connection to a channel. The name is quoted as an identifier.
    public func listen(_ channel: String) throws(PostgresError) {
        try execute("LISTEN " + quoteIdentifier(channel))
    }

    /// Sends a notification; inside a transaction it is delivered at COMMIT.
    public func notify(_ channel: String, payload: String = "") throws(PostgresError) {
        try query("SELECT pg_notify($1, $2)", channel, payload)
    }

    /// Waits up to `timeout` for the next notification; nil when none arrived in time.
    /// Notifications already received are returned first, without waiting.
    public func waitForNotification(timeout: Duration) throws(PostgresError) -> PGNotification? {
        let connection = try liveHandle()
        let deadline = ContinuousClock.now + timeout
        while true {
            if PQconsumeInput(connection) == 0 {
                throw PostgresError(.connection, "the connection to PostgreSQL at \(settings) was lost while waiting for notifications")
            }
            if let notification = nextNotification(connection) { return notification }
            let remaining = deadline - ContinuousClock.now
            if remaining <= .zero { return nil }
            // Whole milliseconds rounded up (truncated, plus one), so poll never wakes early.
            let milliseconds = Int32(clamping: Int64(remaining / .milliseconds(1)) + 1)
            var descriptor = pollfd(fd: PQsocket(connection), events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, milliseconds)
            if ready < 0, errno != EINTR {
                throw PostgresError(.connection, "waiting for notifications failed: \(String(cString: strerror(errno)))")
            }
        }
    }

    private func nextNotification(_ connection: OpaquePointer) -> PGNotification? {
        guard let raw = PQnotifies(connection) else { return nil }
        defer { PQfreemem(raw) }
        return PGNotification(channel: String(cString: raw.pointee.relname),
                              payload: String(cString: raw.pointee.extra),
                              senderPID: raw.pointee.be_pid)
    }

    /// Quotes a name as a SQL identifier (for LISTEN, which takes no parameters).
    public func quoteIdentifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
