import Foundation
import Postgres

/// Where outbox rows go besides the daemons' own subscribers, as the database records it: the
/// declared external Pusher/Reverb target (``declared``), and what each live daemon publishes to.
public struct OutboxDestinations: Sendable, Equatable {
    /// One live daemon and the external target it publishes to (nil: none).
    public struct Daemon: Sendable, Equatable {
        /// The daemon's id in `hub_daemons`.
        public let id: UUID
        /// The public part of its `CALLCTL_PUSHER_URL`; nil without one.
        public let target: String?

        /// Creates the entry.
        public init(id: UUID, target: String?) {
            self.id = id
            self.target = target
        }
    }

    /// The declared external target; nil when rows owe no external delivery.
    public let declared: String?
    /// When it was declared.
    public let declaredAt: Date?
    /// The live daemons, by id.
    public let daemons: [Daemon]

    /// Creates the picture.
    public init(declared: String?, declaredAt: Date? = nil, daemons: [Daemon]) {
        self.declared = declared
        self.declaredAt = declaredAt
        self.daemons = daemons
    }

    /// What is wrong, one sentence each with its fix; empty when every daemon agrees with the
    /// declaration (or nothing is declared and no daemon publishes).
    public var problems: [String] {
        var problems: [String] = []
        let short = { (id: UUID) in String(id.uuidString.lowercased().prefix(8)) }
        for daemon in daemons {
            switch (declared, daemon.target) {
            case (let declared?, nil):
                problems.append("daemon \(short(daemon.id)) has no CALLCTL_PUSHER_URL while the database declares \(declared): it relays "
                                + "to its own subscribers only; give every daemon the same CALLCTL_PUSHER_URL")
            case (let declared?, let target?) where target != declared:
                problems.append("daemon \(short(daemon.id)) publishes to \(target) but the database declares \(declared); "
                                + "give every daemon the same CALLCTL_PUSHER_URL")
            case (nil, let target?):
                problems.append("daemon \(short(daemon.id)) publishes to \(target) but no external target is declared; restart it")
            default:
                break
            }
        }
        if let declared, !daemons.contains(where: { $0.target == declared }) {
            problems.append("no running daemon publishes to \(declared), so events wait in the outbox; start callctl serve with "
                            + "CALLCTL_PUSHER_URL, run `callctl outbox flush`, or retire the server with `callctl outbox external --forget`")
        }
        return problems
    }
}

/// Reads and changes the declared external target.
public enum OutboxDestinationStore {
    /// The declaration and every live daemon's target.
    public static func read(on connection: PGConnection) throws -> OutboxDestinations {
        let declared = try connection.query("SELECT target, declared_at FROM outbox_external").first
        let daemons = try connection.query("SELECT id, external_target FROM hub_daemons ORDER BY started_at, id").rows.map {
            OutboxDestinations.Daemon(id: try $0.decode(UUID.self, "id"), target: try $0.decode(String?.self, "external_target"))
        }
        return OutboxDestinations(declared: try declared?.decode(String.self, "target"),
                                  declaredAt: try declared?.decode(Date.self, "declared_at"), daemons: daemons)
    }

    /// Declares `target` as the external server every row owes a delivery to; returns the
    /// target it replaced, if it was another.
    @discardableResult
    public static func declare(_ target: String, on connection: PGConnection) throws -> String? {
        try connection.transaction { connection in
            let previous = try connection.query("SELECT target FROM outbox_external FOR UPDATE").first?.decode(String.self, "target")
            guard previous != target else { return nil }
            try connection.query("""
                INSERT INTO outbox_external (target) VALUES ($1)
                ON CONFLICT (singleton) DO UPDATE SET target = EXCLUDED.target, declared_at = now()
                """, target)
            return previous
        }
    }

    /// Removes the declaration (the external server is retired) and marks the relayed rows that
    /// waited only for it published; returns the declared target and how many rows that was.
    public static func forget(on connection: PGConnection) throws -> (target: String?, released: Int) {
        try connection.transaction { connection in
            let target = try connection.query("DELETE FROM outbox_external RETURNING target").first?.decode(String.self, "target")
            let released = try connection.query("""
                WITH done AS (UPDATE outbox SET published_at = now(), next_attempt_at = NULL
                              WHERE published_at IS NULL AND relayed_at IS NOT NULL RETURNING 1)
                SELECT count(*) AS n FROM done
                """).first?.decode(Int.self, "n") ?? 0
            return (target, released)
        }
    }
}
