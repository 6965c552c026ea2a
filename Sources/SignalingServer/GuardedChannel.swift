import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// Hummingbird's HTTP/1 + WebSocket child channel with callctl's guards added to each new
/// connection's pipeline: ``RequestHeadGuard`` right after the HTTP decoder (header timeout,
/// JSON 400 for unparsable requests, RFC 6455 handshake checks) and
/// ``MaskedFramesOnly/Installer`` at the end (unmasked client frames close with 1002).
struct GuardedChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value

    let base: Base
    /// How long a connection has to send its first request head.
    let headerTimeout: TimeAmount

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let headerTimeout = headerTimeout
        return base.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let pipeline = channel.pipeline.syncOperations
            let decoder = try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try pipeline.addHandler(RequestHeadGuard(timeout: headerTimeout, logger: logger), position: .after(decoder))
            try pipeline.addHandler(MaskedFramesOnly.Installer())
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}
