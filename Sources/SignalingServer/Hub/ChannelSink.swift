import HummingbirdWebSocket
import NIOCore
import NIOWebSocket
import PusherProtocol

/// A hub connection's frames written straight into its NIO channel, on the channel's event
/// loop, without waking a task per message; a fanned-out event's bytes are shared by every
/// subscriber. Closing goes through
/// Hummingbird's WebSocket writer, which runs the close handshake.
struct ChannelSink: HubSink {
    let channel: any Channel
    let outbound: WebSocketOutboundWriter

    var eventLoop: (any EventLoop)? { channel.eventLoop }

    func write(_ text: ByteBuffer) -> Bool {
        let writable = channel.isWritable
        channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .text, data: text), promise: nil)
        return writable
    }

    func close(_ code: PusherErrorCode, reason: String) {
        let outbound = outbound
        Task { try? await outbound.close(.unknown(UInt16(code.rawValue)), reason: reason) }
    }
}
