import CallDomain
import Foundation
import Postgres

/// Where a call's recording stands after a command: what `…/call/recording/*` answers.
public struct RecordingView: Sendable, Equatable, Encodable {
    public let appointmentId: Int64
    public let callId: String
    /// True while the call is recorded.
    public let recording: Bool
    /// Each participant's consent by role: true, false, or null when never given.
    public let consents: Consents

    /// The two participants' consent.
    public struct Consents: Sendable, Equatable, Encodable {
        @NullWhenAbsent public private(set) var doctor: Bool?
        @NullWhenAbsent public private(set) var patient: Bool?

        init(doctor: Bool?, patient: Bool?) {
            self.doctor = doctor
            self.patient = patient
        }
    }
}

/// The recording commands' database side (docs/design.md, "Recordings"), in the style of
/// ``CallLifecycle``: the appointment row is locked first, so a command waits for a job or
/// another daemon changing the call and then decides on what they wrote; ``RecordingPolicy``
/// decides; consent, recording state, audit rows and events are written in one transaction,
/// each write guarded by the state it expects.
public struct RecordingLifecycle {
    private let connection: PGConnection

    /// Creates the lifecycle on a connection.
    public init(connection: PGConnection) {
        self.connection = connection
    }

    /// Performs `command` on call `callId` of appointment `appointmentId` for user `actor`.
    /// - Throws: `DomainError` for a refusal (nothing written), `PostgresError` otherwise.
    public func perform(_ command: RecordingCommand, appointmentId: Int64, callId: UUID, actor: Int64, client: ClientInfo,
                        now: Date) throws -> RecordingView {
        let now = now.wholeMicroseconds
        let (view, outboxRows) = try connection.transaction { connection -> (RecordingView, Int) in
            let snapshot = try LockedCallRead.read(appointmentId: appointmentId, actor: actor, lockingUsers: false, on: connection)
            let state = try Self.state(of: callId, on: connection)
            let facts = RecordingFacts(call: snapshot.facts, consents: state.consents, recordingSince: state.since)
            let plan = try RecordingPolicy.decide(command, callId: callId, facts: facts)
            var statement = CombinedWrite()
            var changes: [RecordedChange] = []
            let by = EventBy(id: actor, role: plan.role)
            let details = { (reason: String?) in
                AuditDetails(userAgent: client.userAgent, ip: client.ip, requestId: client.requestId, note: reason)
            }
            if let granted = plan.consent {
                statement.add([callId, actor, granted, now], expecting: 1, "recording consents") { p in """
                    INSERT INTO recording_consents (call_id, user_id, granted, at) VALUES (\(p[0])::uuid, \(p[1])::bigint, \(p[2]), \(p[3]))
                    ON CONFLICT (call_id, user_id) DO UPDATE SET granted = excluded.granted, at = excluded.at
                    RETURNING 1
                    """
                }
                changes.append(RecordedChange(appointmentId: appointmentId, callId: callId, userId: actor, audit: .recordingConsent,
                                              at: now, details: details(granted ? "granted" : "withdrawn"), event: nil))
            }
            switch plan.recording {
            case .start?:
                statement.add([callId, now], expecting: 1, "call sessions",
                              refusing: DomainError(.invalidTransition, "The call changed meanwhile; read it again.")) { p in """
                    UPDATE call_sessions SET recording_since = \(p[1])
                    WHERE id = \(p[0])::uuid AND state = 'in_call' AND recording_since IS NULL RETURNING 1
                    """
                }
                changes.append(RecordedChange(appointmentId: appointmentId, callId: callId, userId: actor, audit: .recordingStarted,
                                              at: now, details: details(nil),
                                              event: CallEvent(AppointmentRecordingStarted(appointmentId: appointmentId, callId: callId,
                                                                                           by: by, at: now))))
            case .stop(let reason)?:
                statement.add([callId], expecting: 1, "call sessions",
                              refusing: DomainError(.invalidTransition, "The call changed meanwhile; read it again.")) { p in """
                    UPDATE call_sessions SET recording_since = NULL WHERE id = \(p[0])::uuid AND recording_since IS NOT NULL RETURNING 1
                    """
                }
                changes.append(RecordedChange(appointmentId: appointmentId, callId: callId, userId: actor, audit: .recordingStopped,
                                              at: now, details: details(reason.rawValue),
                                              event: CallEvent(AppointmentRecordingStopped(appointmentId: appointmentId, callId: callId,
                                                                                           by: by, reason: reason, at: now))))
            case nil:
                break
            }
            let rows = try RecordedRows(changes, eventNamespace: snapshot.settings.settings.eventNamespace)
            ChangeRecorder.add(rows, into: &statement, notify: false)
            try statement.execute(on: connection)
            var consents = state.consents
            if let granted = plan.consent { consents[actor] = granted }
            let recording: Bool = switch plan.recording {
            case .start?: true
            case .stop?: false
            case nil: state.since != nil
            }
            let appointment = snapshot.facts.appointment
            let view = RecordingView(appointmentId: appointmentId, callId: callId.uuidString.lowercased(), recording: recording,
                                     consents: .init(doctor: consents[appointment.doctorUserId], patient: consents[appointment.patientUserId]))
            return (view, rows.outboxRows)
        }
        ChangeRecorder.notifyCommitted(outboxRows, on: connection)
        return view
    }

    /// The session's consents and recording state, read after the appointment lock, in one query.
    private static func state(of callId: UUID, on connection: PGConnection) throws -> (consents: [Int64: Bool], since: Date?) {
        var consents: [Int64: Bool] = [:]
        var since: Date?
        for row in try connection.query("""
            SELECT s.recording_since, c.user_id, c.granted
            FROM call_sessions s LEFT JOIN recording_consents c ON c.call_id = s.id WHERE s.id = $1
            """, callId).rows {
            since = try row.decode(Date?.self, "recording_since")
            if let user = try row.decode(Int64?.self, "user_id") { consents[user] = try row.decode(Bool?.self, "granted") }
        }
        return (consents, since)
    }
}
