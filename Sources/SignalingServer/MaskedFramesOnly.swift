import NIOCore
import NIOHTTP1
import NIOWebSocket

/// Closes a WebSocket with 1002 (protocol error) when the client sends a frame without a
/// masking key: RFC 6455 §5.1 requires every client frame to be masked, and NIO's frame
/// decoder accepts unmasked ones. Sits right after the frame decoder.
final class MaskedFramesOnly: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private var closing = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        let frame = unwrapInboundIn(data)
        guard frame.maskKey != nil else {
            closing = true
            var payload = context.channel.allocator.buffer(capacity: 32)
            payload.write(webSocketErrorCode: .protocolError)
            payload.writeString("client frames must be masked")
            let close = WebSocketFrame(fin: true, opcode: .connectionClose, data: payload)
            context.writeAndFlush(wrapOutboundOut(close)).assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
            return
        }
        context.fireChannelRead(data)
    }

    /// Waits at the end of a new connection's pipeline for the WebSocket upgrade to complete,
    /// then puts a ``MaskedFramesOnly`` after the frame decoder and leaves. On a connection
    /// that stays HTTP it leaves at the first request part, which it passes on untouched.
    final class Installer: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = Never

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if case HTTPServerUpgradeEvents.upgradeComplete = event,
               let decoder = try? context.pipeline.syncOperations.handler(type: ByteToMessageHandler<WebSocketFrameDecoder>.self) {
                do {
                    try context.pipeline.syncOperations.addHandler(MaskedFramesOnly(), position: .after(decoder))
                } catch {
                    context.close(promise: nil)
                }
                context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            }
            context.fireUserInboundEventTriggered(event)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            context.fireChannelRead(data)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
    }
}
