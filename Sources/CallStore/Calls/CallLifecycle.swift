import CallDomain
import Foundation
import Postgres

/// The call lifecycle API's database side: each command is decided by ``CallPolicy`` on a
/// locked snapshot and written — session, appointment, audit row and outbox event — in one
/// transaction, then `NOTIFY callctl_outbox` (after the commit: see ``ChangeRecorder``).
///
/// The appointment row lock serializes commands on one appointment across daemons and against
/// the cron jobs, and the decision is made on a read taken after the lock (``LockedCallRead``);
/// every session and appointment write is also guarded by the state it expects, so a write
/// decided on a stale state changes nothing and is refused `invalid_transition`. `request`
/// also takes both participants' user locks, so a user is never rung by two calls at once.
/// The partial unique index on open sessions is the backstop: an INSERT that loses a race
/// anyway rolls back and the command is decided once more, now seeing the winner's session
/// (`busy`).
public struct CallLifecycle {
    private let connection: PGConnection

    /// Creates the lifecycle on a connection.
    public init(connection: PGConnection) {
        self.connection = connection
    }

    /// Performs `command` on appointment `appointmentId` for user `actor` at `now`.
    /// - Returns: the session after the command.
    /// - Throws: `DomainError` for a refusal (a `busy` refusal has recorded its audit row and
    ///   event when it is thrown; no other refusal writes anything), `PostgresError` otherwise.
    public func perform(_ command: CallCommand, appointmentId: Int64, actor: Int64, client: ClientInfo,
                        now: Date) throws -> CallView {
        // Whole microseconds, as PostgreSQL stores them: the answer (built from the values
        // written, not read back) then shows exactly what a later read shows.
        let now = now.wholeMicroseconds
        do {
            return try attempt(command, appointmentId, actor, client, now)
        } catch let error as PostgresError where error.isUniqueViolation {
            return try attempt(command, appointmentId, actor, client, now)
        }
    }

    private func attempt(_ command: CallCommand, _ appointmentId: Int64, _ actor: Int64, _ client: ClientInfo,
                         _ now: Date) throws -> CallView {
        let (outcome, outboxRows) = try connection.transaction { connection in
            try apply(command, appointmentId, actor, client, now, on: connection)
        }
        ChangeRecorder.notifyCommitted(outboxRows, on: connection)
        return try outcome.get()
    }

    /// The appointment's open call, for one of its participants.
    /// - Throws: `DomainError` (`not_found`, `not_participant`).
    public func current(appointmentId: Int64, actor: Int64) throws -> CurrentCall {
        let appointment = try participantAppointment(appointmentId, actor: actor)
        let row = try connection.query("""
            SELECT \(CallView.columns) FROM call_sessions s JOIN appointments a ON a.id = s.appointment_id
            WHERE s.appointment_id = $1 AND s.state <> 'ended'
            """, appointmentId).first
        return CurrentCall(appointmentId: appointmentId, appointmentStatus: appointment.status,
                           call: try row.map(CallView.init(row:)))
    }

    /// Until when relay credentials for `actor` on the appointment may be valid
    /// (``CallPolicy/relayDeadline(facts:settings:now:)``), read without locking.
    /// - Throws: `DomainError` (`not_found`, or the gate that refuses).
    public func relayDeadline(appointmentId: Int64, actor: Int64, now: Date) throws -> Date {
        guard let row = try connection.query(LockedCallRead.sql, appointmentId, actor).first else {
            throw CallPolicy.notFound(appointmentId)
        }
        let snapshot = try LockedCallRead(row: row, actor: actor)
        return try CallPolicy.relayDeadline(facts: snapshot.facts, settings: snapshot.settings.settings, now: now)
    }

    /// The appointment, when `actor` is one of its participants.
    /// - Throws: `DomainError` (`not_found`, `not_participant`).
    @discardableResult
    public func participantAppointment(_ appointmentId: Int64, actor: Int64) throws -> AppointmentSnapshot {
        guard let row = try connection.query("""
            SELECT \(AppointmentColumns.select) FROM appointments a \(AppointmentColumns.joins) WHERE a.id = $1
            """, appointmentId).first
        else { throw CallPolicy.notFound(appointmentId) }
        let appointment = try AppointmentSnapshot(row: row)
        _ = try CallPolicy.authorizeView(of: appointment, by: actor)
        return appointment
    }

    private func apply(_ command: CallCommand, _ appointmentId: Int64, _ actor: Int64, _ client: ClientInfo, _ now: Date,
                       on connection: PGConnection) throws -> (Result<CallView, DomainError>, outboxRows: Int) {
        let snapshot = try LockedCallRead.read(appointmentId: appointmentId, actor: actor, lockingUsers: command.action == nil,
                                             on: connection)
        let settings = snapshot.settings.settings
        let decision = Result { () throws(DomainError) -> CallPlan in
            try CallPolicy.decide(command, facts: snapshot.facts, settings: settings, now: now)
        }
        let plan: CallPlan
        switch decision {
        case .success(let decided):
            plan = decided
        case .failure(let refusal) where refusal.reason == .busy:
            return (.failure(refusal), try recordBusy(snapshot, actor: actor, client: client, now: now, on: connection))
        case .failure(let refusal):
            throw refusal
        }
        let writes = try CallWrites.make(plan: plan, command: command, snapshot: snapshot, client: client, now: now)
        try writes.execute(on: connection)
        return (.success(writes.view), writes.outboxRows)
    }

    /// Writes the busy refusal's audit row and event; returns the outbox rows written.
    private func recordBusy(_ snapshot: LockedCallRead, actor: Int64, client: ClientInfo, now: Date,
                            on connection: PGConnection) throws -> Int {
        let appointment = snapshot.facts.appointment
        guard let role = appointment.role(of: actor) else { return 0 }
        let who = CallActor(userId: actor, name: snapshot.actorName, role: role, peerId: client.peerId)
        let change = RecordedChange(
            appointmentId: appointment.id, callId: snapshot.facts.openSession?.id, userId: actor, audit: .busy, at: now,
            details: AuditDetails(reason: nil, peerId: client.peerId, userAgent: client.userAgent, ip: client.ip,
                                  requestId: client.requestId),
            event: CallPolicy.busyEvent(appointmentId: appointment.id, actor: who, at: now))
        var statement = CombinedWrite()
        let rows = try RecordedRows([change], eventNamespace: snapshot.settings.settings.eventNamespace)
        ChangeRecorder.add(rows, into: &statement, notify: false)
        try statement.execute(on: connection)
        return rows.outboxRows
    }
}
