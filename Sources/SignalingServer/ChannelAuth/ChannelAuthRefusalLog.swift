import Foundation
import Hummingbird
import NIOCore

/// Placed in front of ``BearerAuthentication`` on `/broadcasting`: logs the 401 refusals (no,
/// malformed, expired or revoked token, or a token whose user is gone) with the channel the
/// body asked for; ``ChannelAuthRoutes`` logs the others. It buffers the body (at most `limit`
/// bytes, 413 beyond) so that it can still name the channel after the refusal.
struct ChannelAuthRefusalLog: RouterMiddleware {
    typealias Context = CallRequestContext

    /// The largest body accepted, in bytes.
    let limit: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch is NIOTooManyBytesError {
            let refusal = APIError(.contentTooLarge, reason: "too_large",
                                   "The request body is larger than \(limit) bytes; send only socket_id and channel_name.")
            ChannelAuthRoutes.logRefusal(context.logger, reason: refusal.reason, channel: nil)
            throw refusal
        }
        do {
            return try await next(request, context)
        } catch {
            let answer = APIError.answering(error)
            if answer.status == .unauthorized {
                let fields = try? ChannelAuthBody.parse(Data(buffer.readableBytesView), contentType: request.headers[.contentType])
                ChannelAuthRoutes.logRefusal(context.logger, reason: answer.reason, channel: fields?.channelName)
            }
            throw error
        }
    }
}
