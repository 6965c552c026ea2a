import CallDomain
import Foundation
import Postgres

/// Writes a browser's ``CallReport`` as an audit row of the call it is about, in one statement
/// that also checks the reporter is a participant of that call's appointment.
public enum CallReportStore {
    static let insert = """
        INSERT INTO appointment_call_events (appointment_id, call_id, type, user_id, at, payload)
        SELECT s.appointment_id, s.id, $3, $4, $5, $6::jsonb
        FROM call_sessions s
        JOIN appointments a ON a.id = s.appointment_id
        LEFT JOIN doctors d ON d.id = a.doctor_id
        LEFT JOIN patients p ON p.id = a.patient_id
        WHERE s.id = $2 AND s.appointment_id = $1 AND (d.user_id = $4 OR p.user_id = $4)
        RETURNING 1
        """

    /// Records `report` by `actor` on call `callId` of appointment `appointmentId`.
    /// - Returns: false when there is no such call of that appointment, or `actor` takes no part
    ///   in it (the route answers both as 404, so calls cannot be probed).
    public static func record(_ report: CallReport, appointmentId: Int64, callId: UUID, actor: Int64, client: ClientInfo,
                              now: Date, on connection: PGConnection) throws -> Bool {
        let payload = String(decoding: try ISOTimestamp.jsonEncoder().encode(ReportPayload(report, client: client)), as: UTF8.self)
        return try connection.query(insert, appointmentId, callId, report.audit.rawValue, actor, now, payload).first != nil
    }
}

/// The audit payload of a report: its fields, and who sent it from where.
private struct ReportPayload: Encodable {
    var name: String?
    var message: String?
    var candidateType: String?
    var transport: String?
    var rttMs: Double?
    var packetLossPercent: Double?
    var jitterMs: Double?
    let userAgent: String?
    let ip: String?
    let requestId: String?

    init(_ report: CallReport, client: ClientInfo) {
        switch report {
        case .error(let name, let message): (self.name, self.message) = (name, message)
        case .ice(let type, let transport): (candidateType, self.transport) = (type, transport)
        case .quality(let rtt, let loss, let jitter): (rttMs, packetLossPercent, jitterMs) = (rtt, loss, jitter)
        }
        userAgent = client.userAgent
        ip = client.ip
        requestId = client.requestId
    }
}
