import Foundation
import Hummingbird
import NIOCore

/// The per-request context: Hummingbird's core storage, the client address, and the user
/// the bearer token proved (set by ``BearerAuthentication``).
public struct CallRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The client's IP address, from the connection.
    public let clientIP: String?
    /// `users.id` of the authenticated user; nil on routes without authentication.
    public var userId: Int64?
    /// The request's id: a valid `X-Request-Id` the client sent, else one made up
    /// (``RequestIDMiddleware``); nil before that middleware ran.
    public var requestId: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        clientIP = source.channel.remoteAddress?.ipAddress
    }
}
