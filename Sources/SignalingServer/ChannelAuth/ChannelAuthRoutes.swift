import CallDomain
import CallStore
import Foundation
import Hummingbird
import Logging
import Postgres
import PusherProtocol

/// `POST /broadcasting/auth`, answered like Laravel's Pusher broadcaster: the bearer token's
/// user (put in the context by ``BearerAuthentication``) asks to subscribe a socket to a
/// private or presence channel; the daemon's ``ChannelRulesCache`` decides, and an allowed
/// subscription is signed with the primary Pusher app. Refusals are 403 with the domain's reason
/// code (`not_participant`, `wrong_tenant`, `wrong_role`, `unknown_channel`, the last also for a public channel,
/// which Laravel does not sign either), 422 `validation` naming the field, and 401
/// `unauthenticated` for a token whose user no longer exists (no `users` row); each is logged
/// with the user, the channel and the reason (the 401s by ``ChannelAuthRefusalLog``).
struct ChannelAuthRoutes: Sendable {
    /// The app whose key and secret sign the answers.
    let app: PusherApp
    /// The database, for the user and the appointment's participants.
    let pool: PGPool
    /// The channel rules in force.
    let rules: ChannelRulesCache
    /// The largest body accepted, in bytes.
    let maximumBodyBytes: Int

    /// Registers `POST auth` on `group` (mounted at `/broadcasting`).
    func add(to group: RouterGroup<CallRequestContext>) {
        group.post("auth", use: authorize)
    }

    @Sendable func authorize(_ request: Request, context: CallRequestContext) async throws -> Response {
        guard let userId = context.userId else {
            throw APIError(DomainError(.unauthenticated, "Channel authorization needs a signed-in user; send a valid bearer token."))
        }
        var channel: String?
        let body: ChannelAuthBody
        do {
            let fields = try await ChannelAuthBody.fields(of: request, limit: maximumBodyBytes)
            channel = fields.channelName
            body = try ChannelAuthBody.validate(fields)
        } catch let refusal as APIError {
            Self.logRefusal(context.logger, reason: refusal.reason, channel: channel)
            throw refusal
        }
        let rules = await rules.current()
        let appointmentId = rules.match(body.channelName)?.appointmentId
        let subject = try await pool.withConnection { connection in
            try ChannelAuthQuery.read(userId: userId, appointmentId: appointmentId, on: connection)
        }
        guard let subject else {
            throw APIError.userGone(userId)
        }
        // The rules read no other appointment than the one matched above.
        let decision = await rules.authorize(channel: body.channelName, user: subject.user) { _ in
            subject.isParticipant
        }
        switch decision {
        case .refused(let error):
            if error.reason != .unauthenticated {
                Self.logRefusal(context.logger, reason: error.reason.rawValue, channel: body.channelName)
            }
            throw APIError(error)
        case .allowed(let channel):
            if let appointmentId {
                try await pool.withConnection { [socket = body.socketID.rawValue] in
                    try AppointmentChannelLog.authorized(appointmentId: appointmentId, socket: socket, userId: userId, on: $0)
                }
            }
            let member: (id: Int64, name: String)? = channel.isPresence ? (id: userId, name: subject.name) : nil
            return JSONBody.response(ChannelAuthAnswer(app: app, socketID: body.socketID, channel: body.channelName, member: member))
        }
    }

    /// One log line per refusal: the user (from the logger's metadata, when known), the channel
    /// (`-` when the body did not name one) and the reason; never the token.
    static func logRefusal(_ logger: Logger, reason: String, channel: String?) {
        let name = channel.map { String($0.prefix(ChannelName.maxLength)) } ?? "-"
        logger.info("channel auth refused", metadata: ["reason": "\(reason)", "channel": "\(name)"])
    }
}
