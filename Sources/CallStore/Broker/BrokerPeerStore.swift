import CallDomain
import Foundation
import Postgres

/// A peer id callctl just issued, with what the participant needs next.
public struct IssuedPeer: Sendable, Equatable {
    /// The binding (current, its call open).
    public let peer: BrokerPeer
    /// The participant's role on the appointment.
    public let role: ParticipantRole
    /// The other participant's current peer id, when one was issued.
    public let otherPeerId: String?
}

/// The broker's rows (`broker_peers`, docs/design.md "PeerJS broker"): issuing peer ids,
/// reading a binding, and the broker's audit rows.
public enum BrokerPeerStore {
    /// Issues a new peer id to `actor` for call `callId` of `appointmentId`, valid for
    /// connecting until `now + lifetime`, in one transaction: the appointment row is locked
    /// first (as every call command does, so the id is issued only while the call is open,
    /// whatever a job or another daemon does meanwhile); the participant's previous id for the
    /// call is superseded; the session's `caller_peer_id`/`callee_peer_id` is set (guarded by
    /// the session still being open); an audit row `peer` and ``AppointmentCallPeerChanged``
    /// are recorded.
    /// - Throws: `DomainError` from ``PeerPolicy/authorizeIssue(callId:facts:)``, or `not_found`.
    public static func issue(appointmentId: Int64, callId: UUID, actor: Int64, client: ClientInfo, lifetime: TimeInterval,
                             now: Date, randomBytes: () -> [UInt8], on connection: PGConnection) throws -> IssuedPeer {
        let now = now.wholeMicroseconds
        let (issued, outboxRows) = try connection.transaction { connection -> (IssuedPeer, Int) in
            let snapshot = try LockedCallRead.read(appointmentId: appointmentId, actor: actor, lockingUsers: false, on: connection)
            let role = try PeerPolicy.authorizeIssue(callId: callId, facts: snapshot.facts)
            let peer = BrokerPeer(peerId: BrokerPeer.newId(randomBytes: randomBytes()), userId: actor, appointmentId: appointmentId,
                                  callId: callId, expiresAt: now.addingTimeInterval(lifetime), current: true, callOpen: true)
            try connection.query("UPDATE broker_peers SET superseded_at = $3 WHERE call_id = $1 AND user_id = $2 AND superseded_at IS NULL",
                                 callId, actor, now)
            let other = try connection.query("""
                SELECT peer_id FROM broker_peers WHERE call_id = $1 AND user_id <> $2 AND superseded_at IS NULL
                ORDER BY issued_at DESC LIMIT 1
                """, callId, actor).first.map { try $0.decode(String.self, "peer_id") }
            let change = RecordedChange(
                appointmentId: appointmentId, callId: callId, userId: actor, audit: .peer, at: now,
                details: AuditDetails(peerId: peer.peerId, userAgent: client.userAgent, ip: client.ip, requestId: client.requestId),
                event: CallEvent(AppointmentCallPeerChanged(appointmentId: appointmentId, callId: callId,
                                                            by: EventBy(id: actor, role: role), peerId: peer.peerId, at: now)))
            var statement = CombinedWrite()
            statement.add([peer.peerId, callId, appointmentId, actor, now, peer.expiresAt], expecting: 1, "broker peers") { p in """
                INSERT INTO broker_peers (peer_id, call_id, appointment_id, user_id, issued_at, expires_at)
                VALUES (\(p[0]), \(p[1])::uuid, \(p[2])::bigint, \(p[3])::bigint, \(p[4]), \(p[5])) RETURNING 1
                """
            }
            statement.add([callId, peer.peerId, actor], expecting: 1, "call sessions") { p in """
                UPDATE call_sessions
                SET caller_peer_id = CASE WHEN caller_user_id = \(p[2])::bigint THEN \(p[1]) ELSE caller_peer_id END,
                    callee_peer_id = CASE WHEN callee_user_id = \(p[2])::bigint THEN \(p[1]) ELSE callee_peer_id END
                WHERE id = \(p[0])::uuid AND state <> 'ended' RETURNING 1
                """
            }
            let rows = try RecordedRows([change], eventNamespace: snapshot.settings.settings.eventNamespace)
            ChangeRecorder.add(rows, into: &statement, notify: false)
            try statement.execute(on: connection)
            return (IssuedPeer(peer: peer, role: role, otherPeerId: other), rows.outboxRows)
        }
        ChangeRecorder.notifyCommitted(outboxRows, on: connection)
        return issued
    }

    /// The binding of `peerId`, read now; nil when callctl never issued it.
    public static func binding(of peerId: String, on connection: PGConnection) throws -> BrokerPeer? {
        guard BrokerPeer.isWellFormed(peerId) else { return nil }
        return try connection.query("""
            SELECT b.peer_id, b.user_id, b.appointment_id, b.call_id, b.expires_at, b.superseded_at IS NULL AS current,
                   s.state <> 'ended' AS call_open
            FROM broker_peers b JOIN call_sessions s ON s.id = b.call_id
            WHERE b.peer_id = $1
            """, peerId).first.map { row in
            BrokerPeer(peerId: try row.decode(String.self, "peer_id"), userId: try row.decode(Int64.self, "user_id"),
                       appointmentId: try row.decode(Int64.self, "appointment_id"), callId: try row.decode(UUID.self, "call_id"),
                       expiresAt: try row.decode(Date.self, "expires_at"), current: try row.decode(Bool.self, "current"),
                       callOpen: try row.decode(Bool.self, "call_open"))
        }
    }

    /// Records that `peer` joined (`broker_join`) or left (`broker_leave`, with why) the
    /// broker; an audit row without an event.
    public static func record(_ audit: AuditEventType, of peer: BrokerPeer, note: String? = nil, ip: String? = nil,
                              now: Date, on connection: PGConnection) throws {
        let change = RecordedChange(appointmentId: peer.appointmentId, callId: peer.callId, userId: peer.userId, audit: audit,
                                    at: now, details: AuditDetails(peerId: peer.peerId, ip: ip, note: note), event: nil)
        var statement = CombinedWrite()
        ChangeRecorder.add(try RecordedRows([change], eventNamespace: ""), into: &statement)
        try statement.execute(on: connection)
    }

    /// Deletes the rows of calls that ended more than `age` ago; returns how many.
    @discardableResult
    public static func prune(endedBefore age: TimeInterval, on connection: PGConnection) throws -> Int {
        try connection.query("""
            WITH gone AS (
                DELETE FROM broker_peers b USING call_sessions s
                WHERE s.id = b.call_id AND s.state = 'ended' AND s.ended_at < now() - make_interval(secs => $1)
                RETURNING 1)
            SELECT count(*) AS n FROM gone
            """, Double(age)).first.map { Int(try $0.decode(Int64.self, "n")) } ?? 0
    }
}

extension BrokerPeerStore {
    /// The current peer ids of call `callId` (one per participant at most).
    public static func currentPeers(of callId: UUID, on connection: PGConnection) throws -> [String] {
        try connection.query("SELECT peer_id FROM broker_peers WHERE call_id = $1 AND superseded_at IS NULL", callId)
            .rows.map { try $0.decode(String.self, "peer_id") }
    }
}
