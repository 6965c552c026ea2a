import CallDomain
import Foundation
import Postgres

/// The writes of one allowed command, joined into one statement: the session INSERT or
/// UPDATE, the appointment UPDATE (status, stamps, and `metadata` keeping `callId`,
/// `doctorPeerId`, `patientPeerId`), the audit row and the outbox event; the `NOTIFY` follows
/// the commit (``ChangeRecorder/notifyCommitted(_:on:)``).
struct CallWrites {
    /// The session as the statement leaves it (the values it writes, not read back).
    let view: CallView
    /// Outbox rows the statement inserts (0 or 1); the caller notifies after commit.
    let outboxRows: Int
    private let statement: CombinedWrite

    /// Runs the joined statement inside the caller's transaction.
    func execute(on connection: PGConnection) throws {
        try statement.execute(on: connection)
    }

    /// The writes of `plan`, decided for `command` on `snapshot`.
    static func make(plan: CallPlan, command: CallCommand, snapshot: LockedCallRead, client: ClientInfo, now: Date) throws -> CallWrites {
        let facts = snapshot.facts
        guard let actor = facts.actorUserId else { throw StoreError("a planned command has no actor") }
        var statement = CombinedWrite()
        var outboxRows = 0
        let status = plan.appointment?.target ?? facts.appointment.status
        let change: SessionWrite
        let callee: Int64
        switch plan.session {
        case .create(let caller, let calleeUserId):
            callee = calleeUserId
            change = insertSession(appointmentId: facts.appointment.id, caller: caller, callee: calleeUserId, client: client,
                                   role: plan.actorRole, status: status, now: now, into: &statement)
        case .update(let step):
            guard let previous = facts.openSession else { throw StoreError("a session update was planned without an open session") }
            callee = previous.calleeUserId
            change = updateSession(previous, peers: snapshot.openSessionPeers, appointmentId: facts.appointment.id, step: step,
                                   accepting: command.action == .accept, client: client, role: plan.actorRole,
                                   status: status, now: now, into: &statement)
        }
        try updateAppointment(facts.appointment.id, transition: plan.appointment, metadata: change.metadata, now: now,
                              into: &statement)
        if let audit = plan.audit {
            let who = CallActor(userId: actor, name: snapshot.actorName, role: plan.actorRole, peerId: client.peerId)
            let event = plan.event(appointmentId: facts.appointment.id, callId: change.callId, actor: who,
                                   connectedAt: facts.openSession?.connectedAt, at: now)
            let ring = event?.kind.reachesCallee == true ? snapshot.settings.settings.ringChannel(for: callee) : nil
            let record = RecordedChange(
                appointmentId: facts.appointment.id, callId: change.callId, userId: actor, audit: audit, at: now,
                details: AuditDetails(reason: change.reason, from: change.from, to: change.to,
                                      appointment: plan.appointment?.target, peerId: client.peerId,
                                      userAgent: client.userAgent, ip: client.ip, requestId: client.requestId),
                event: event, alsoOn: ring.map { [$0] } ?? [])
            var records = [record]
            if case .update(let step) = plan.session, step.to == .ended, let session = facts.openSession,
               let stop = RecordedChange.recordingStop(ending: session, appointmentId: facts.appointment.id, userId: actor,
                                                       details: AuditDetails(userAgent: client.userAgent, ip: client.ip,
                                                                             requestId: client.requestId), at: now) {
                records.append(stop)
            }
            let rows = try RecordedRows(records, eventNamespace: snapshot.settings.settings.eventNamespace)
            ChangeRecorder.add(rows, into: &statement, notify: false)
            outboxRows = rows.outboxRows
        }
        return CallWrites(view: change.view, outboxRows: outboxRows, statement: statement)
    }

    /// What a session write changed, for the audit row, the appointment's metadata and the answer.
    private struct SessionWrite {
        let callId: UUID
        let from: String?
        let to: String
        let reason: EndReason?
        let metadata: [String: String?]
        /// The session once written.
        let view: CallView
    }

    private static func insertSession(appointmentId: Int64, caller: Int64, callee: Int64, client: ClientInfo,
                                      role: ParticipantRole, status: AppointmentStatus, now: Date,
                                      into statement: inout CombinedWrite) -> SessionWrite {
        let callId = UUID()
        statement.add([callId, appointmentId, caller, callee, client.peerId, now], expecting: 1, "call sessions") { p in """
            INSERT INTO call_sessions (id, appointment_id, state, caller_user_id, callee_user_id, caller_peer_id, requested_at)
            VALUES (\(p[0]), \(p[1]), 'ringing', \(p[2]), \(p[3]), \(p[4]), \(p[5])) RETURNING 1
            """
        }
        let metadata: [String: String?] = ["callId": callId.pgText, peerKey(role): client.peerId, peerKey(role.other): nil]
        return SessionWrite(callId: callId, from: nil, to: CallState.ringing.rawValue, reason: nil, metadata: metadata, view:
            CallView(appointmentId: appointmentId, callId: callId, state: .ringing, endReason: nil, callerUserId: caller,
                     calleeUserId: callee, callerPeerId: client.peerId, calleePeerId: nil, requestedAt: now, acceptedAt: nil,
                     connectedAt: nil, endedAt: nil, appointmentStatus: status))
    }

    private static func updateSession(_ session: CallSessionSnapshot, peers: (caller: String?, callee: String?), appointmentId: Int64,
                                      step: CallStep, accepting: Bool, client: ClientInfo, role: ParticipantRole,
                                      status: AppointmentStatus, now: Date, into statement: inout CombinedWrite) -> SessionWrite {
        let calleePeer = accepting ? client.peerId : nil
        let changedMeanwhile = DomainError(
            .invalidTransition,
            "Call \(session.id.uuidString.lowercased()) is no longer \(step.from.rawValue): it changed while this request waited; "
                + "read it again with GET /appointments/\(appointmentId)/call.")
        statement.add([session.id, step.to.rawValue, step.endReason?.rawValue, now, calleePeer, step.from.rawValue],
                      expecting: 1, "call sessions", refusing: changedMeanwhile) { p in
            let sets = ["state = \(p[1])", "end_reason = \(p[2])", "callee_peer_id = coalesce(\(p[4]), callee_peer_id)"]
                + (step.to == .ended ? ["recording_since = NULL"] : [])
                + step.stamps.map(\.rawValue).sorted().map { "\($0) = \(p[3])" }
            return "UPDATE call_sessions SET \(sets.joined(separator: ", ")) WHERE id = \(p[0]) AND state = \(p[5]) RETURNING 1"
        }
        let metadata: [String: String?] = accepting ? ["callId": session.id.pgText, peerKey(role): client.peerId] : [:]
        let stamped = { (stamp: CallStamp, old: Date?) in step.stamps.contains(stamp) ? now : old }
        return SessionWrite(callId: session.id, from: step.from.rawValue, to: step.to.rawValue, reason: step.endReason,
                            metadata: metadata, view:
            CallView(appointmentId: appointmentId, callId: session.id, state: step.to, endReason: step.endReason,
                     callerUserId: session.callerUserId, calleeUserId: session.calleeUserId, callerPeerId: peers.caller,
                     calleePeerId: calleePeer ?? peers.callee, requestedAt: session.requestedAt,
                     acceptedAt: stamped(.acceptedAt, session.acceptedAt), connectedAt: stamped(.connectedAt, session.connectedAt),
                     endedAt: stamped(.endedAt, nil), appointmentStatus: status))
    }

    private static func updateAppointment(_ id: Int64, transition: AppointmentTransition?, metadata: [String: String?],
                                          now: Date, into statement: inout CombinedWrite) throws {
        let document = metadata.isEmpty ? nil : try PGJSON(encoding: metadata)
        guard transition != nil || document != nil else { return }
        var values: [any PGEncodable] = [id]
        if let transition { values += [transition.target.rawValue, now, transition.source.rawValue] }
        if let document { values.append(document) }
        let changedMeanwhile = DomainError(
            .invalidTransition, "Appointment \(id) changed while this request waited; read it again and retry if it still applies.")
        statement.add(values, expecting: 1, "appointments", refusing: changedMeanwhile) { p in
            var sets = ["updated_at = now()"]
            var guards = ["id = \(p[0])"]
            if let transition {
                sets.append("status = \(p[1])")
                sets += transition.stamps.map(\.rawValue).sorted().map { "\($0) = \(p[2])" }
                guards.append("status = \(p[3])")
            }
            if document != nil { sets.append("metadata = metadata || \(p[p.count - 1])") }
            return "UPDATE appointments SET \(sets.joined(separator: ", ")) WHERE \(guards.joined(separator: " AND ")) RETURNING 1"
        }
    }

    private static func peerKey(_ role: ParticipantRole) -> String {
        role == .doctor ? "doctorPeerId" : "patientPeerId"
    }
}
