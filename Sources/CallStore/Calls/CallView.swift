import CallDomain
import Foundation
import Postgres

/// A call session as the lifecycle API returns it: after each command, and from
/// `GET /appointments/{id}/call` for a page refresh.
public struct CallView: Sendable, Equatable, Encodable {
    /// `appointments.id`.
    public let appointmentId: Int64
    /// The callId, lowercase.
    public let callId: String
    /// `ringing`, `accepted`, `in_call` or `ended`.
    public let state: CallState
    /// Why it ended, once it has.
    public let endReason: EndReason?
    /// Who called.
    public let callerUserId: Int64
    /// Who was called.
    public let calleeUserId: Int64
    /// The caller's PeerJS id.
    public let callerPeerId: String?
    /// The callee's PeerJS id, once accepted.
    public let calleePeerId: String?
    /// When it was requested.
    public let requestedAt: Date
    /// When the callee accepted.
    public let acceptedAt: Date?
    /// When the first peer connected.
    public let connectedAt: Date?
    /// When it ended.
    public let endedAt: Date?
    /// The appointment's status after the command.
    public let appointmentStatus: AppointmentStatus

    /// The columns ``init(row:)`` reads, as selected from `call_sessions s JOIN appointments a`.
    static let columns = """
        s.appointment_id, s.id, s.state, s.end_reason, s.caller_user_id, s.callee_user_id, s.caller_peer_id,
        s.callee_peer_id, s.requested_at, s.accepted_at, s.connected_at, s.ended_at, a.status
        """

    init(appointmentId: Int64, callId: UUID, state: CallState, endReason: EndReason?, callerUserId: Int64, calleeUserId: Int64,
         callerPeerId: String?, calleePeerId: String?, requestedAt: Date, acceptedAt: Date?, connectedAt: Date?, endedAt: Date?,
         appointmentStatus: AppointmentStatus) {
        self.appointmentId = appointmentId
        self.callId = callId.uuidString.lowercased()
        self.state = state
        self.endReason = endReason
        self.callerUserId = callerUserId
        self.calleeUserId = calleeUserId
        self.callerPeerId = callerPeerId
        self.calleePeerId = calleePeerId
        self.requestedAt = requestedAt
        self.acceptedAt = acceptedAt
        self.connectedAt = connectedAt
        self.endedAt = endedAt
        self.appointmentStatus = appointmentStatus
    }

    init(row: PGRow) throws {
        appointmentId = try row.decode(Int64.self, "appointment_id")
        callId = try row.decode(UUID.self, "id").uuidString.lowercased()
        state = try Self.decodeEnum(row, "state")
        endReason = try row.decode(String?.self, "end_reason").flatMap(EndReason.init(rawValue:))
        callerUserId = try row.decode(Int64.self, "caller_user_id")
        calleeUserId = try row.decode(Int64.self, "callee_user_id")
        callerPeerId = try row.decode(String?.self, "caller_peer_id")
        calleePeerId = try row.decode(String?.self, "callee_peer_id")
        requestedAt = try row.decode(Date.self, "requested_at")
        acceptedAt = try row.decode(Date?.self, "accepted_at")
        connectedAt = try row.decode(Date?.self, "connected_at")
        endedAt = try row.decode(Date?.self, "ended_at")
        appointmentStatus = try Self.decodeEnum(row, "status")
    }

    private static func decodeEnum<T: RawRepresentable>(_ row: PGRow, _ column: String) throws -> T where T.RawValue == String {
        let text = try row.decode(String.self, column)
        guard let value = T(rawValue: text) else {
            throw PostgresError(.decoding, "\(column) \"\(text)\" is not a value callctl knows")
        }
        return value
    }
}

/// What `GET /appointments/{id}/call` answers: the appointment's status and its open call, if any.
public struct CurrentCall: Sendable, Equatable, Encodable {
    /// `appointments.id`.
    public let appointmentId: Int64
    /// `appointments.status`.
    public let appointmentStatus: AppointmentStatus
    /// The open session, or nil (`null`) when there is none.
    public let call: CallView?

    private enum CodingKeys: String, CodingKey { case appointmentId, appointmentStatus, call }

    /// Encodes `call` as `null` when there is no open session.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(appointmentId, forKey: .appointmentId)
        try container.encode(appointmentStatus, forKey: .appointmentStatus)
        try container.encode(call, forKey: .call)
    }
}

/// Who sent a command: recorded in the audit row's payload.
public struct ClientInfo: Sendable, Equatable {
    /// The PeerJS id the participant sent (request, accept).
    public let peerId: String?
    /// `User-Agent`, cut to at most ``userAgentBytes`` bytes of UTF-8 (between code points).
    public let userAgent: String?
    /// The client's address (behind a trusted proxy, the forwarded one).
    public let ip: String?
    /// The request's id (`X-Request-Id`, given or generated), so an app log line finds the audit row.
    public let requestId: String?

    /// The most bytes of `User-Agent` kept in audit rows.
    public static let userAgentBytes = 512

    /// Creates the client facts, bounding the user agent.
    public init(peerId: String? = nil, userAgent: String? = nil, ip: String? = nil, requestId: String? = nil) {
        self.peerId = peerId
        self.userAgent = userAgent.map(Self.capped)
        self.ip = ip
        self.requestId = requestId
    }

    /// The longest prefix of whole code points within ``userAgentBytes`` bytes.
    static func capped(_ text: String) -> String {
        guard text.utf8.count > userAgentBytes else { return text }
        var end = text.startIndex
        var bytes = 0
        for index in text.unicodeScalars.indices {
            let size = text.unicodeScalars[index].utf8.count
            guard bytes + size <= userAgentBytes else { break }
            bytes += size
            end = text.unicodeScalars.index(after: index)
        }
        return String(text.unicodeScalars[..<end])
    }
}
