import Foundation
import Postgres

/// Signaling on its way between daemons (`broker_messages`, docs/design.md "PeerJS broker"):
/// a message for a peer that is not connected to the daemon that received it is stored and
/// announced on ``notifyChannel``; the daemon the peer is connected to claims it (a DELETE, so
/// exactly one delivers it), and a peer that connects later claims what waits for it.
public enum BrokerMessageStore {
    /// The notification channel every daemon's broker listens on.
    public static let notifyChannel = "callctl_broker"

    /// What a `callctl_broker` notification says.
    public enum Notice: Equatable, Sendable {
        /// Message `id` waits for peer `dst`.
        case message(id: Int64, dst: String)
        /// Peer `peerId` connected to daemon `daemon` (any other socket of the id is closed).
        case connected(daemon: UUID, peerId: String)

        /// Reads a payload; nil when it is not one.
        public init?(payload: String) {
            let parts = payload.split(separator: " ", maxSplits: 2).map(String.init)
            guard parts.count == 3 else { return nil }
            switch parts[0] {
            case "m":
                guard let id = Int64(parts[1]) else { return nil }
                self = .message(id: id, dst: parts[2])
            case "c":
                guard let daemon = UUID(uuidString: parts[1]) else { return nil }
                self = .connected(daemon: daemon, peerId: parts[2])
            default:
                return nil
            }
        }
    }

    /// Stores `body` (a message of `type` from `src`) for `dst` and announces it.
    public static func store(dst: String, src: String, type: String, body: String, on connection: PGConnection) throws {
        try connection.query("""
            WITH m AS (INSERT INTO broker_messages (dst, src, type, body) VALUES ($1, $2, $3, $4) RETURNING id)
            SELECT pg_notify($5, 'm ' || id || ' ' || $1) FROM m
            """, dst, src, type, body, notifyChannel)
    }

    /// Announces that `peerId` connected to `daemon`.
    public static func announce(_ peerId: String, connectedTo daemon: UUID, on connection: PGConnection) throws {
        try connection.query("SELECT pg_notify($1, $2)", notifyChannel, "c \(daemon.uuidString) \(peerId)")
    }

    /// Takes message `id` for delivery; nil when another daemon took it or it expired.
    public static func claim(id: Int64, on connection: PGConnection) throws -> String? {
        try connection.query("DELETE FROM broker_messages WHERE id = $1 RETURNING body", id).first
            .map { try $0.decode(String.self, "body") }
    }

    /// Takes every message waiting for `dst`, oldest first.
    public static func claimAll(dst: String, on connection: PGConnection) throws -> [String] {
        try connection.query("""
            WITH gone AS (DELETE FROM broker_messages WHERE dst = $1 RETURNING id, body) SELECT body FROM gone ORDER BY id
            """, dst).rows.map { try $0.decode(String.self, "body") }
    }

    /// Removes messages older than `age` seconds; returns each one's sender, destination and type.
    public static func expire(olderThan age: Double, on connection: PGConnection) throws -> [(src: String, dst: String, type: String)] {
        try connection.query("""
            DELETE FROM broker_messages WHERE created_at < clock_timestamp() - make_interval(secs => $1) RETURNING src, dst, type
            """, age).rows.map { (try $0.decode(String.self, "src"), try $0.decode(String.self, "dst"), try $0.decode(String.self, "type")) }
    }
}
