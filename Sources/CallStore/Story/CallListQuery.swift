import CallDomain
import Foundation
import Postgres

/// One row of `callctl call list`.
public struct CallListRow: Sendable, Equatable, Codable {
    public let callId: String
    public let appointmentId: Int64
    public let tenantId: Int64
    public let doctorUserId: Int64
    public let patientUserId: Int64
    public let state: String
    public let endReason: String?
    public let requestedAt: Date
    public let connectedAt: Date?
    public let endedAt: Date?
}

/// The filters of `callctl call list`: open calls, or calls requested since an instant.
public struct CallListFilter: Sendable, Equatable {
    /// Calls requested at or after this instant; nil lists the open calls.
    public var since: Date?
    public var doctorUserId: Int64?
    public var tenantId: Int64?
    public var state: CallState?
    public var endReason: EndReason?
    /// At most this many rows, newest first.
    public var limit: Int

    public init(since: Date? = nil, doctorUserId: Int64? = nil, tenantId: Int64? = nil, state: CallState? = nil,
                endReason: EndReason? = nil, limit: Int = 100) {
        self.since = since
        self.doctorUserId = doctorUserId
        self.tenantId = tenantId
        self.state = state
        self.endReason = endReason
        self.limit = limit
    }
}

/// The read behind `callctl call list`: one parameterized statement; a NULL parameter is a filter not given.
public enum CallListQuery {
    static let sql = """
        SELECT s.id::text AS call_id, s.appointment_id, a.tenant_id, s.caller_user_id, s.callee_user_id, d.user_id AS doctor_user_id,
               p.user_id AS patient_user_id, s.state, s.end_reason, s.requested_at, s.connected_at, s.ended_at
        FROM call_sessions s
        JOIN appointments a ON a.id = s.appointment_id
        JOIN doctors d ON d.id = a.doctor_id
        JOIN patients p ON p.id = a.patient_id
        WHERE ($1::timestamptz IS NULL AND s.state <> 'ended' OR s.requested_at >= $1::timestamptz)
          AND ($2::bigint IS NULL OR d.user_id = $2::bigint)
          AND ($3::bigint IS NULL OR a.tenant_id = $3::bigint)
          AND ($4::text IS NULL OR s.state = $4::text)
          AND ($5::text IS NULL OR s.end_reason = $5::text)
        ORDER BY s.requested_at DESC, s.id
        LIMIT $6
        """

    /// The calls matching `filter`, newest first.
    public static func read(_ filter: CallListFilter, on connection: PGConnection) throws -> [CallListRow] {
        try connection.query(sql, filter.since, filter.doctorUserId, filter.tenantId, filter.state?.rawValue,
                             filter.endReason?.rawValue, filter.limit).rows.map { row in
            CallListRow(
                callId: try row.decode(String.self, "call_id"), appointmentId: try row.decode(Int64.self, "appointment_id"),
                tenantId: try row.decode(Int64.self, "tenant_id"), doctorUserId: try row.decode(Int64.self, "doctor_user_id"),
                patientUserId: try row.decode(Int64.self, "patient_user_id"), state: try row.decode(String.self, "state"),
                endReason: try row.decode(String?.self, "end_reason"), requestedAt: try row.decode(Date.self, "requested_at"),
                connectedAt: try row.decode(Date?.self, "connected_at"), endedAt: try row.decode(Date?.self, "ended_at"))
        }
    }
}
