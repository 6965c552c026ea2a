import NIOCore
import NIOTLS

/// Hands each received datagram to an inbox. The channel's receive allocator bounds a
/// datagram's size; a refusal (ICMP port unreachable on a connected socket) ends the inbox.
final class DatagramInboxHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let inbox: PacketInbox

    init(inbox: PacketInbox) {
        self.inbox = inbox
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        inbox.deliver(.packet(Array(Self.unwrapInboundIn(data).data.readableBytesView)))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        inbox.fail(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        inbox.fail(ChannelError.eof)
    }
}

/// Hands each STUN message or ChannelData frame cut from a TCP or TLS stream to an inbox,
/// and tells it when the TLS handshake is done. Any error ends the connection.
final class StreamInboxHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let inbox: PacketInbox

    init(inbox: PacketInbox) {
        self.inbox = inbox
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        inbox.deliver(.packet(Array(Self.unwrapInboundIn(data).readableBytesView)))
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tls = event as? TLSUserEvent, case .handshakeCompleted = tls { inbox.deliver(.tlsEstablished) }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        inbox.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        inbox.fail(ChannelError.eof)
    }
}

/// Cuts a byte stream into STUN messages with `StreamFramer`. A probe binds no channels,
/// so a ChannelData frame cannot come and its first byte means another protocol (HTTP,
/// SSH and most text start that way). Anything out of sync, and a stream that ends inside a
/// message, throws `StreamGarbage`, which closes the connection. A message is at most
/// 20 + 65535 bytes, so the buffer never grows past one message and one read.
struct StunFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let bytes = buffer.readableBytesView
        if let first = bytes.first, PacketKind(firstByte: first) != .stun {
            throw StreamGarbage(bytes, reason: "first byte 0x\(String(first, radix: 16)) does not start a STUN message")
        }
        let length: Int?
        do {
            length = try StreamFramer.nextFrameLength(in: bytes)
        } catch {
            throw StreamGarbage(bytes, reason: error.description)
        }
        guard let length, let frame = buffer.readSlice(length: length) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        if seenEOF, buffer.readableBytes > 0 {
            throw StreamGarbage(buffer.readableBytesView, reason: "the connection closed inside a message")
        }
        return .needMoreData
    }
}

/// Bytes on a stream that are not STUN, with how they start for the diagnosis.
struct StreamGarbage: Error, CustomStringConvertible {
    /// Why the bytes cannot be STUN.
    let reason: String
    /// The first bytes, as text when they are printable ASCII, else in hex.
    let start: String

    init(_ bytes: some Collection<UInt8>, reason: String) {
        self.reason = reason
        let head = Array(bytes.prefix(24))
        start = head.allSatisfy({ (0x20..<0x7F).contains($0) || $0 == 0x0D || $0 == 0x0A })
            ? "\"" + String(decoding: head.map { $0 < 0x20 ? 0x20 : $0 }, as: UTF8.self) + "\""
            : head.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: " ")
    }

    var description: String { "\(reason); it starts \(start)" }
}
