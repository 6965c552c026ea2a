import CallDomain
import CallStore
import Foundation
import Hummingbird
import ICE
import Logging
import TimeUnits

/// The call lifecycle API under `/appointments`: `POST {id}/call/{action}`,
/// `GET {id}/call` and `GET {id}/call/ice-servers`; `POST {id}/call/report` (browser reports)
/// and `POST {id}/call/peer` (a PeerJS peer id and token for the broker); `POST
/// {id}/call/recording/consent|start|stop` (``RecordingPolicy``) and `GET {id}/recording` (a signed
/// download URL, ``RecordingAccess``). Every decision is ``CallPolicy``'s, made
/// by ``CallLifecycle`` in one transaction.
struct CallRoutes: Sendable {
    let configuration: SignalingConfiguration
    let dependencies: SignalingDependencies
    let limiter: RateLimiter<RateKey>

    /// Who is limited: one bucket per user, appointment and action.
    struct RateKey: Hashable, Sendable {
        let userId: Int64
        let appointmentId: Int64
        let action: String
    }

    init(configuration: SignalingConfiguration, dependencies: SignalingDependencies) {
        self.configuration = configuration
        self.dependencies = dependencies
        self.limiter = RateLimiter(limit: configuration.rateLimit)
    }

    func add(to group: RouterGroup<CallRequestContext>) {
        group.post(":id/call/report", use: report)
        group.post(":id/call/peer", use: peer)
        group.post(":id/call/recording/:command", use: recording)
        group.get(":id/recording", use: recordingFile)
        group.post(":id/call/:action", use: perform)
        group.get(":id/call", use: current)
        group.get(":id/call/ice-servers", use: iceServers)
    }

    @Sendable func perform(_ request: Request, context: CallRequestContext) async throws -> Response {
        let started = ContinuousClock.now
        let (appointmentId, userId) = try identify(context)
        let action = context.parameters.get("action") ?? ""
        let body = try await CommandBody.read(request, limit: configuration.maximumBodyBytes)
        let command = try body.command(action: action)
        let client = clientInfo(request, context, peerId: try body.validatedPeerId())
        let now = dependencies.now()
        if action == "request" || action == "accept" {
            try limit(action, userId: userId, appointmentId: appointmentId, now: now)
        }
        var log = context.logger
        log[metadataKey: "appointmentId"] = "\(appointmentId)"
        log[metadataKey: "event"] = "\(action)"
        do {
            var view = try await dependencies.pool.withConnection { connection in
                try CallLifecycle(connection: connection).perform(command, appointmentId: appointmentId, actor: userId,
                                                                  client: client, now: now)
            }
            if case .request = command, configuration.autoAcceptAllowed {
                view = try await autoAccepted(view, requestId: context.requestId, now: now, log: log)
            }
            log[metadataKey: "callId"] = "\(view.callId)"
            log[metadataKey: "state"] = "\(view.state.rawValue)"
            log[metadataKey: "latency_ms"] = "\(Self.milliseconds(since: started))"
            log.info("call transition")
            return JSONBody.response(view)
        } catch let refusal as DomainError {
            if let callId = command.callId { log[metadataKey: "callId"] = "\(callId.uuidString.lowercased())" }
            log[metadataKey: "reason"] = "\(refusal.reason.rawValue)"
            log[metadataKey: "latency_ms"] = "\(Self.milliseconds(since: started))"
            log.info("call refused")
            throw refusal
        }
    }

    /// With `calls.auto_accept` on (where allowed), the callee's accept, made right after the
    /// request in a transaction of its own, audited with the user agent `calls.auto_accept`; the
    /// events are the same as when the callee accepts. A call changed in between is left as it is.
    private func autoAccepted(_ view: CallView, requestId: String?, now: Date, log: Logger) async throws -> CallView {
        try await dependencies.pool.withConnection { connection in
            guard try SettingsStore(connection: connection).resolve().settings.autoAccept,
                  let callId = UUID(uuidString: view.callId) else { return view }
            do {
                return try CallLifecycle(connection: connection).perform(
                    .accept(callId: callId), appointmentId: view.appointmentId, actor: view.calleeUserId,
                    client: ClientInfo(userAgent: "calls.auto_accept", requestId: requestId), now: now)
            } catch let refusal as DomainError {
                log.notice("auto-accept skipped", metadata: ["reason": "\(refusal.reason.rawValue)"])
                return view
            }
        }
    }

    /// A participant's browser reports an error, the selected ICE candidate pair or the call's
    /// quality; rate-limited like `request`; recorded as an audit row.
    @Sendable func report(_ request: Request, context: CallRequestContext) async throws -> Response {
        let (appointmentId, userId) = try identify(context)
        let body = try await ReportBody.read(request, limit: configuration.maximumBodyBytes)
        let (callId, report) = try body.report()
        let now = dependencies.now()
        try limit("report", userId: userId, appointmentId: appointmentId, now: now)
        let client = clientInfo(request, context)
        let recorded = try await dependencies.pool.withConnection { connection in
            try CallReportStore.record(report, appointmentId: appointmentId, callId: callId, actor: userId, client: client,
                                       now: now, on: connection)
        }
        guard recorded else {
            throw APIError(DomainError(.notFound, "There is no call \(callId.uuidString.lowercased()) of appointment \(appointmentId) "
                + "that you take part in."))
        }
        context.logger.info("call report", metadata: [
            "appointmentId": "\(appointmentId)", "callId": "\(callId.uuidString.lowercased())", "event": "\(report.audit.rawValue)",
        ])
        return JSONBody.response(["recorded": report.audit.rawValue])
    }

    /// Issues the participant a new PeerJS peer id for the broker, with its token; rate-limited
    /// like `request`. A second call (a page reload) supersedes the first id.
    @Sendable func peer(_ request: Request, context: CallRequestContext) async throws -> Response {
        let (appointmentId, userId) = try identify(context)
        let body = try await CommandBody.read(request, limit: configuration.maximumBodyBytes)
        guard let text = body.callId else { throw APIError.validation("callId is required for peer.") }
        guard let callId = UUID(uuidString: text) else { throw APIError.validation("callId must be a UUID, e.g. the callId the request returned.") }
        let now = dependencies.now()
        try limit("peer", userId: userId, appointmentId: appointmentId, now: now)
        let client = clientInfo(request, context)
        let lifetime = TimeInterval(configuration.broker.tokenLifetime)
        let issued = try await dependencies.pool.withConnection { connection in
            try BrokerPeerStore.issue(appointmentId: appointmentId, callId: callId, actor: userId, client: client, lifetime: lifetime,
                                      now: now, randomBytes: { (0..<16).map { _ in UInt8.random(in: .min ... .max) } }, on: connection)
        }
        context.logger.info("peer issued", metadata: [
            "appointmentId": "\(appointmentId)", "callId": "\(text.lowercased())", "peerId": "\(issued.peer.peerId)",
        ])
        return JSONBody.response(PeerAnswer(issued, app: configuration.apps.primary, path: configuration.broker.path))
    }

    /// A participant's recording command: consent, start or stop; rate-limited like `request`.
    @Sendable func recording(_ request: Request, context: CallRequestContext) async throws -> Response {
        let (appointmentId, userId) = try identify(context)
        let name = context.parameters.get("command") ?? ""
        let (command, callId) = try await RecordingBody.read(request, limit: configuration.maximumBodyBytes).command(name)
        let now = dependencies.now()
        try limit("recording \(name)", userId: userId, appointmentId: appointmentId, now: now)
        let client = clientInfo(request, context)
        let view = try await dependencies.pool.withConnection { connection in
            try RecordingLifecycle(connection: connection).perform(command, appointmentId: appointmentId, callId: callId, actor: userId,
                                                                   client: client, now: now)
        }
        context.logger.info("recording \(name)", metadata: [
            "appointmentId": "\(appointmentId)", "callId": "\(view.callId)", "event": "recording_\(name)",
        ])
        return JSONBody.response(view)
    }

    /// A participant's download of the appointment's newest recording (or `?recordingId=`): a
    /// signed URL valid `--recording-link-ttl` seconds, audited; rate-limited like `request`.
    /// Anyone else gets `not_found`, whether or not a recording exists.
    @Sendable func recordingFile(_ request: Request, context: CallRequestContext) async throws -> Response {
        let (appointmentId, userId) = try identify(context)
        let recordingId = request.uri.queryParameters["recordingId"].map(String.init)
        if let recordingId, recordingId.isEmpty || recordingId.utf8.count > 128 {
            throw APIError.validation("recordingId must be 1 to 128 characters.")
        }
        let now = dependencies.now()
        try limit("recording download", userId: userId, appointmentId: appointmentId, now: now)
        let client = clientInfo(request, context)
        let settings = configuration.recordings
        let expiresAt = now.addingTimeInterval(TimeInterval(settings.linkLifetime))
        let download = try await dependencies.pool.withConnection { connection in
            try RecordingFileStore(connection: connection).download(appointmentId: appointmentId, recordingId: recordingId, actor: userId,
                                                                    client: client, now: now) { key in
                try RecordingDownload.sign(key, settings: settings, expiresAt: expiresAt, now: now)
            }
        }
        context.logger.info("recording downloaded", metadata: [
            "appointmentId": "\(appointmentId)", "recordingId": "\(download.recordingId)", "event": "recording_downloaded",
        ])
        return RecordingDownload(recordingId: download.recordingId, url: download.url, expiresAt: expiresAt).response(to: request)
    }

    @Sendable func current(_ request: Request, context: CallRequestContext) async throws -> Response {
        let (appointmentId, userId) = try identify(context)
        let current = try await dependencies.pool.withConnection { connection in
            try CallLifecycle(connection: connection).current(appointmentId: appointmentId, actor: userId)
        }
        return JSONBody.response(current)
    }

    /// The ICE servers, with TURN credentials only while the appointment is callable or has an
    /// open call, valid until the window's end at the latest; rate-limited like `request`.
    @Sendable func iceServers(_ request: Request, context: CallRequestContext) async throws -> Response {
        let (appointmentId, userId) = try identify(context)
        let now = dependencies.now()
        try limit("ice-servers", userId: userId, appointmentId: appointmentId, now: now)
        let (deadline, health) = try await dependencies.pool.withConnection { connection in
            (try CallLifecycle(connection: connection).relayDeadline(appointmentId: appointmentId, actor: userId, now: now),
             try IceHealthStore.read(on: connection))
        }
        let list = try IceServerList(configuration: configuration, userId: userId, appointmentId: appointmentId, now: now,
                                     deadline: deadline, health: health)
        return JSONBody.response(list)
    }

    /// Who is asking, for the audit row: the client address (behind a trusted proxy, the
    /// forwarded one), the user agent, the request id and the PeerJS id the body named.
    private func clientInfo(_ request: Request, _ context: CallRequestContext, peerId: String? = nil) -> ClientInfo {
        let address = configuration.hub.trustedProxies.clientAddress(peer: context.clientIP,
                                                                     forwardedFor: request.headers[values: .xForwardedFor])
        return ClientInfo(peerId: peerId, userAgent: request.headers[.userAgent], ip: address, requestId: context.requestId)
    }

    /// Takes a token from `action`'s bucket for the user and appointment, or refuses 429.
    private func limit(_ action: String, userId: Int64, appointmentId: Int64, now: Date) throws {
        guard let wait = limiter.take(RateKey(userId: userId, appointmentId: appointmentId, action: action), now: now) else { return }
        throw APIError(.tooManyRequests, reason: ReasonCode.rateLimited.rawValue,
                       "Too many \(action) calls for appointment \(appointmentId); try again in \(wait) s.",
                       headers: [.retryAfter: String(wait)])
    }

    private func identify(_ context: CallRequestContext) throws -> (appointmentId: Int64, userId: Int64) {
        guard let userId = context.userId else {
            throw APIError(DomainError(.unauthenticated, "This route needs a signed-in user; send a valid token."))
        }
        let text = context.parameters.get("id") ?? ""
        guard let id = Int64(text), id > 0 else {
            throw APIError.validation("The appointment id in the path must be a positive integer, not \"\(text.prefix(32))\".")
        }
        // One spelling per appointment: `01` or `+1` is no other name for appointment 1.
        guard text == String(id) else {
            throw APIError(DomainError(.notFound, "There is no appointment \"\(text.prefix(32))\"; ids are written "
                                       + "without sign or leading zeros, e.g. /appointments/\(id)/call."))
        }
        return (id, userId)
    }

    private static func milliseconds(since start: ContinuousClock.Instant) -> String {
        String(format: "%.2f", (ContinuousClock.now - start).milliseconds)
    }
}
