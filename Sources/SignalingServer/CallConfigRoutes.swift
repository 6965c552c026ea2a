import CallDomain
import CallStore
import Foundation
import Hummingbird

/// `GET /call-config`: what a browser needs to behave as the server does, read from the
/// settings at each request, so `callctl config set` reaches every browser without a deploy.
struct CallConfigRoutes: Sendable {
    let configuration: SignalingConfiguration
    let dependencies: SignalingDependencies

    func add(to group: RouterGroup<CallRequestContext>) {
        group.get(use: answer)
    }

    @Sendable func answer(_ request: Request, context: CallRequestContext) async throws -> Response {
        guard let userId = context.userId else {
            throw APIError(DomainError(.unauthenticated, "This route needs a signed-in user; send a valid token."))
        }
        let (exists, settings) = try await dependencies.pool.withConnection { connection in
            (try ChannelAuthQuery.read(userId: userId, appointmentId: nil, on: connection) != nil,
             try SettingsStore(connection: connection).resolve().settings)
        }
        guard exists else {
            throw APIError.userGone(userId)
        }
        return JSONBody.response(CallConfig(settings, autoAcceptAllowed: configuration.autoAcceptAllowed))
    }
}

/// The body of `GET /call-config` (camelCase, as the lifecycle API's).
struct CallConfig: Encodable {
    /// How long a call rings before the reaper ends it (`timeouts.ringing`).
    let ringingTimeoutSeconds: Int
    /// How long an accepted call may take to connect (`timeouts.connect`).
    let connectTimeoutSeconds: Int
    /// How long a connected call may go without a heartbeat (`timeouts.heartbeat`).
    let heartbeatTimeoutSeconds: Int
    /// How often to send one: a third of the timeout (at least 5 s), so two may be lost.
    let heartbeatIntervalSeconds: Int
    /// Whether the callee's accept happens server-side: `calls.auto_accept`, and only where the daemon allows it.
    let autoAccept: Bool
    /// The event names and channels to listen on.
    let events: Events

    struct Events: Encodable {
        /// `events.namespace`.
        let namespace: String
        /// Each event's short name (what `.listen('.Name')` takes), by kind.
        let names: [String: String]
        /// `private-appointments.{appointmentId}`.
        let appointmentChannel: String
        /// The callee's own channel rings and cancellations also go to (`events.user_channel`), or null.
        @NullWhenAbsent var userChannel: String?
    }

    init(_ settings: CallSettings, autoAcceptAllowed: Bool) {
        ringingTimeoutSeconds = settings.ringingTimeoutSeconds
        connectTimeoutSeconds = settings.connectTimeoutSeconds
        heartbeatTimeoutSeconds = settings.heartbeatTimeoutSeconds
        heartbeatIntervalSeconds = max(5, settings.heartbeatTimeoutSeconds / 3)
        autoAccept = settings.autoAccept && autoAcceptAllowed
        let userChannel = UserChannel(rawValue: settings.userChannel).flatMap { $0 == .off ? nil : "\($0.rawValue).{userId}" }
        events = Events(namespace: settings.eventNamespace,
                        names: Dictionary(uniqueKeysWithValues: CallEventKind.allCases.map { ("\($0)", $0.rawValue) }),
                        appointmentChannel: "private-appointments.{appointmentId}", userChannel: userChannel)
    }
}
