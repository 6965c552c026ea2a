import CallDomain
import Foundation
import Postgres

/// What `callctl call show` asks about: an appointment, or the appointment of a call.
public enum CallStoryTarget: Sendable, Equatable {
    case appointment(Int64)
    case call(UUID)

    /// `42` is an appointment id, a UUID a call id; nil for anything else.
    public init?(_ text: String) {
        if let id = Int64(text), id > 0 { self = .appointment(id) } else if let id = UUID(uuidString: text) { self = .call(id) } else { return nil }
    }
}

/// The reads behind `callctl call show`: six parameterized statements on indexed columns
/// (the appointment's primary key, `call_sessions_appointment_idx`,
/// `appointment_call_events_appointment_idx`, `outbox_channel_idx`,
/// `appointment_channel_log_appointment_idx`), so the answer costs the same among a million rows.
public enum CallStoryQuery {
    static let resolveCall = "SELECT appointment_id FROM call_sessions WHERE id = $1::uuid"

    static let appointment = """
        SELECT a.id, a.tenant_id, a.status, a.scheduled_at, a.duration_minutes, a.started_at, a.ended_at,
               du.id AS doctor_user_id, du.name AS doctor_name, pu.id AS patient_user_id, pu.name AS patient_name
        FROM appointments a
        JOIN doctors d ON d.id = a.doctor_id JOIN users du ON du.id = d.user_id
        JOIN patients p ON p.id = a.patient_id JOIN users pu ON pu.id = p.user_id
        WHERE a.id = $1
        """

    static let sessions = """
        SELECT id::text AS id, state, end_reason, caller_user_id, callee_user_id, requested_at, accepted_at, connected_at,
               ended_at, last_heartbeat_at
        FROM call_sessions WHERE appointment_id = $1 ORDER BY requested_at, id
        """

    static let steps = """
        SELECT at, type, call_id::text AS call_id, user_id, payload->>'from' AS from_state, payload->>'to' AS to_state,
               payload->>'reason' AS reason, payload->>'ip' AS ip, payload->>'userAgent' AS user_agent,
               payload->>'requestId' AS request_id, payload->>'by' AS by_operator, payload->>'note' AS note,
               nullif(concat_ws(' ', payload->>'name', payload->>'message', payload->>'candidateType', payload->>'transport',
                   CASE WHEN payload ? 'rttMs' THEN 'rtt ' || (payload->>'rttMs') || ' ms, loss ' || (payload->>'packetLossPercent')
                        || ' %, jitter ' || (payload->>'jitterMs') || ' ms' END), '') AS detail
        FROM appointment_call_events WHERE appointment_id = $1 ORDER BY at, id
        """

    static let events = """
        SELECT id, event, payload->>'callId' AS call_id, created_at, relayed_at, published_at, attempts, last_error
        FROM outbox WHERE channel = $1 ORDER BY id
        """

    static let channelLog = """
        SELECT kind, socket_id, user_id, at FROM appointment_channel_log WHERE appointment_id = $1 ORDER BY at, id
        """

    /// Reads the story of `target`'s appointment with the window of `settings`.
    /// - Returns: nil when there is no such appointment or call.
    public static func read(_ target: CallStoryTarget, settings: CallSettings, on connection: PGConnection) throws -> CallStory? {
        let appointmentId: Int64
        switch target {
        case .appointment(let id): appointmentId = id
        case .call(let id):
            guard let row = try connection.query(resolveCall, id).first else { return nil }
            appointmentId = try row.decode(Int64.self, "appointment_id")
        }
        guard let row = try connection.query(appointment, appointmentId).first else { return nil }
        let scheduledAt = try row.decode(Date.self, "scheduled_at")
        let duration = try row.decode(Int.self, "duration_minutes")
        let story = CallStory.Appointment(
            id: appointmentId, tenantId: try row.decode(Int64.self, "tenant_id"), status: try row.decode(String.self, "status"),
            scheduledAt: scheduledAt, durationMinutes: duration,
            window: AccessWindow(scheduledAt: scheduledAt, durationMinutes: duration, leadSeconds: settings.leadSeconds,
                                 graceSeconds: settings.graceSeconds),
            startedAt: try row.decode(Date?.self, "started_at"), endedAt: try row.decode(Date?.self, "ended_at"),
            doctor: .init(userId: try row.decode(Int64.self, "doctor_user_id"), name: try row.decode(String.self, "doctor_name")),
            patient: .init(userId: try row.decode(Int64.self, "patient_user_id"), name: try row.decode(String.self, "patient_name")))
        let steps = try connection.query(Self.steps, appointmentId).rows.map(step)
        let sessions = try connection.query(Self.sessions, appointmentId).rows.map { row in
            let id = try row.decode(String.self, "id")
            return CallStory.Session(
                id: id, state: try row.decode(String.self, "state"), endReason: try row.decode(String?.self, "end_reason"),
                callerUserId: try row.decode(Int64.self, "caller_user_id"), calleeUserId: try row.decode(Int64.self, "callee_user_id"),
                requestedAt: try row.decode(Date.self, "requested_at"), acceptedAt: try row.decode(Date?.self, "accepted_at"),
                connectedAt: try row.decode(Date?.self, "connected_at"), endedAt: try row.decode(Date?.self, "ended_at"),
                lastHeartbeatAt: try row.decode(Date?.self, "last_heartbeat_at"),
                steps: steps.filter { $0.callId == id })
        }
        let events = try connection.query(Self.events, ChannelName.appointment(appointmentId).name).rows.map { row in
            let name = try row.decode(String.self, "event")
            return CallStory.Event(
                id: try row.decode(Int64.self, "id"), name: String(name.split(separator: "\\").last ?? Substring(name)),
                callId: try row.decode(String?.self, "call_id"), createdAt: try row.decode(Date.self, "created_at"),
                relayedAt: try row.decode(Date?.self, "relayed_at"), publishedAt: try row.decode(Date?.self, "published_at"),
                attempts: try row.decode(Int.self, "attempts"), lastError: try row.decode(String?.self, "last_error"))
        }
        let channel = try connection.query(channelLog, appointmentId).rows.map { row in
            ChannelEntry(kind: try row.decode(String.self, "kind"), socketId: try row.decode(String.self, "socket_id"),
                         userId: try row.decode(Int64?.self, "user_id"), at: try row.decode(Date.self, "at"))
        }
        return CallStory(appointment: story, sessions: sessions, refusals: steps.filter { $0.callId == nil && $0.type == "busy" },
                         events: events, channel: channel)
    }

    private static func step(_ row: PGRow) throws -> CallStory.Step {
        CallStory.Step(
            at: try row.decode(Date.self, "at"), type: try row.decode(String.self, "type"), callId: try row.decode(String?.self, "call_id"),
            userId: try row.decode(Int64?.self, "user_id"), from: try row.decode(String?.self, "from_state"),
            to: try row.decode(String?.self, "to_state"),
            reason: try row.decode(String?.self, "note") ?? row.decode(String?.self, "reason"),
            ip: try row.decode(String?.self, "ip"), userAgent: try row.decode(String?.self, "user_agent"),
            requestId: try row.decode(String?.self, "request_id"), by: try row.decode(String?.self, "by_operator"),
            detail: try row.decode(String?.self, "detail"))
    }
}
