import Foundation
import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1

/// Watches a new connection until its first request head is read, right after NIO's HTTP
/// decoder, and then leaves the pipeline (so it never sees a WebSocket's frames):
///
/// - a connection that has not sent a whole head within `timeout` is closed (a slow client
///   holding a connection open with half a request line, or one that sends nothing);
/// - a request the decoder refuses (unknown method, header line without a colon,
///   Content-Length with chunked Transfer-Encoding, headers over the limit) gets
///   `400 bad_request` as JSON with `Connection: close`, then the connection is closed;
///   NIO's upgrade pipeline would otherwise leave such a connection open and silent;
/// - a WebSocket upgrade that RFC 6455 §4.2.1 refuses gets its answer: `426` with
///   `Sec-WebSocket-Version: 13` for another version, `400` for a missing or malformed
///   `Sec-WebSocket-Key`;
/// - a valid WebSocket upgrade that `upgradeGate` refuses (too many new connections from one
///   address) gets that answer (`429` with `Retry-After`) before any WebSocket work.
///
/// Later requests on a keep-alive connection are covered by the idle timeout and by
/// Hummingbird's own answer to parse errors.
final class RequestHeadGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let timeout: TimeAmount
    private let upgradeGate: UpgradeGate
    private let outcome: FirstHeadOutcome
    private let logger: Logger
    private var timer: Scheduled<Void>?
    /// Set once this handler answered the request itself; the connection is closing.
    private var answered = false

    /// Decides on a valid WebSocket upgrade from the head and the socket's peer address: nil
    /// lets it through, an error is the answer.
    typealias UpgradeGate = @Sendable (HTTPRequestHead, String?) -> APIError?

    init(timeout: TimeAmount, upgradeGate: @escaping UpgradeGate = { _, _ in nil }, outcome: FirstHeadOutcome, logger: Logger) {
        self.timeout = timeout
        self.upgradeGate = upgradeGate
        self.outcome = outcome
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context)
        context.fireChannelActive()
    }

    /// Still here, so no head arrived: the client left (or was closed) before sending one.
    func channelInactive(context: ChannelHandlerContext) {
        outcome.markEndedWithoutHead()
        context.fireChannelInactive()
    }

    private func arm(_ context: ChannelHandlerContext) {
        guard timer == nil, !answered else { return }
        let timeout = timeout
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [logger, outcome] in
            outcome.markEndedWithoutHead()
            logger.debug("closing a connection that sent no complete request head in time",
                         metadata: ["timeout_ms": "\(timeout.nanoseconds / 1_000_000)",
                                    "peer": "\(context.channel.remoteAddress?.description ?? "-")"])
            context.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !answered else { return }
        guard case .head(let head) = unwrapInboundIn(data) else {
            context.fireChannelRead(data)
            return
        }
        timer?.cancel()
        timer = nil
        if let refusal = Self.webSocketRefusal(head)
            ?? (Self.isWebSocketUpgrade(head) ? upgradeGate(head, context.channel.remoteAddress?.ipAddress) : nil) {
            answer(context, refusal)
            return
        }
        context.fireChannelRead(data)
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let error = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        guard !answered else { return }
        timer?.cancel()
        timer = nil
        answer(context, APIError(.badRequest, reason: "bad_request",
                                 "The request is not valid HTTP/1.1 (\(Self.describe(error))); the connection is closed."))
    }

    /// Writes `error` as the response with `Connection: close`, then closes the connection.
    private func answer(_ context: ChannelHandlerContext, _ error: APIError) {
        answered = true
        outcome.markEndedWithoutHead()
        let body = error.body
        var headers = HTTPHeaders([("Content-Type", "application/json"), ("Content-Length", "\(body.count)"), ("Connection", "close")])
        for field in error.headers { headers.add(name: field.name.rawName, value: field.value) }
        let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: Int(error.status.code)), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }

    /// The refusal of a WebSocket upgrade request (`Upgrade: websocket`) whose handshake RFC
    /// 6455 §4.2.1 does not allow; nil for any other request.
    static func webSocketRefusal(_ head: HTTPRequestHead) -> APIError? {
        guard isWebSocketUpgrade(head) else { return nil }
        let versions = head.headers["Sec-WebSocket-Version"]
        guard versions.map({ $0.trimmingCharacters(in: .whitespaces) }) == ["13"] else {
            return APIError(.upgradeRequired, reason: "upgrade_required",
                            "This server speaks WebSocket version 13 (RFC 6455); send Sec-WebSocket-Version: 13.",
                            headers: [.secWebSocketVersion: "13"])
        }
        let keys = head.headers["Sec-WebSocket-Key"]
        guard keys.count == 1, let key = Data(base64Encoded: keys[0].trimmingCharacters(in: .whitespaces)), key.count == 16 else {
            return APIError(.badRequest, reason: "bad_request",
                            "A WebSocket upgrade needs one Sec-WebSocket-Key: 16 random bytes in base64 (RFC 6455 §4.1).")
        }
        return nil
    }

    /// Whether `head` asks for `Upgrade: websocket`.
    static func isWebSocketUpgrade(_ head: HTTPRequestHead) -> Bool {
        head.headers["Upgrade"].flatMap { $0.split(separator: ",") }
            .contains { $0.trimmingCharacters(in: .whitespaces).lowercased() == "websocket" }
    }

    /// What the parser refused, in words (never the request's bytes).
    private static func describe(_ error: HTTPParserError) -> String {
        switch error {
        case .invalidMethod: "unknown method"
        case .invalidHeaderToken: "a header line is not NAME: VALUE"
        case .unexpectedContentLength: "Content-Length together with Transfer-Encoding"
        case .headerOverflow: "the headers are too large"
        case .invalidVersion: "bad HTTP version"
        case .invalidURL: "bad request target"
        default: "\(error)"
        }
    }
}
