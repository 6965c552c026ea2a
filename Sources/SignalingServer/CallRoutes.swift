import CallDomain
import CallStore
import Foundation
import Hummingbird
import ICE
import Logging
import TimeUnits

/// The call lifecycle API under `/appointments`: `POST {id}/call/{action}`,
/// `GET {id}/call` and `GET {id}/call/ice-servers`. Every decision is ``CallPolicy``'s, made
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
        let address = configuration.hub.trustedProxies.clientAddress(peer: context.clientIP,
                                                                     forwardedFor: request.headers[values: .xForwardedFor])
        let client = ClientInfo(peerId: try body.validatedPeerId(), userAgent: request.headers[.userAgent], ip: address,
                                requestId: context.requestId)
        let now = dependencies.now()
        if action == "request" || action == "accept" {
            try limit(action, userId: userId, appointmentId: appointmentId, now: now)
        }
        var log = context.logger
        log[metadataKey: "appointmentId"] = "\(appointmentId)"
        log[metadataKey: "event"] = "\(action)"
        do {
            let view = try await dependencies.pool.withConnection { connection in
                try CallLifecycle(connection: connection).perform(command, appointmentId: appointmentId, actor: userId,
                                                                  client: client, now: now)
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
        let deadline = try await dependencies.pool.withConnection { connection in
            try CallLifecycle(connection: connection).relayDeadline(appointmentId: appointmentId, actor: userId, now: now)
        }
        let list = try IceServerList(configuration: configuration, userId: userId, appointmentId: appointmentId, now: now,
                                     deadline: deadline)
        return JSONBody.response(list)
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
