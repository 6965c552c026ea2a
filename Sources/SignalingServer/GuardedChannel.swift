import Hummingbird
import HummingbirdCore
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// Hummingbird's HTTP/1 + WebSocket child channel with callctl's guards added to each new
/// connection's pipeline: ``RequestHeadGuard`` right after the HTTP decoder (header timeout,
/// JSON 400 for unparsable requests, RFC 6455 handshake checks) and
/// ``MaskedFramesOnly/Installer`` at the end (unmasked client frames close with 1002).
struct GuardedChannel<Base: ServerChildChannel>: ServerChildChannel {
    /// The base channel's value and what became of the connection's first request head.
    struct Value: ServerChildChannelValue {
        let base: Base.Value
        let head: FirstHeadOutcome
        var channel: any Channel { base.channel }
    }

    let base: Base
    /// How long a connection has to send its first request head.
    let headerTimeout: TimeAmount
    /// Decides on valid WebSocket upgrades before any WebSocket work (``RequestHeadGuard``).
    let upgradeGate: RequestHeadGuard.UpgradeGate

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let headerTimeout = headerTimeout
        let upgradeGate = upgradeGate
        let head = FirstHeadOutcome()
        return base.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let pipeline = channel.pipeline.syncOperations
            let decoder = try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try pipeline.addHandler(RequestHeadGuard(timeout: headerTimeout, upgradeGate: upgradeGate, outcome: head, logger: logger), position: .after(decoder))
            try pipeline.addHandler(MaskedFramesOnly.Installer())
            return Value(base: value, head: head)
        }
    }

    /// Runs the base channel. When the connection ends before a request head arrived (timed
    /// out, refused, or the client left), Hummingbird reports the unfinished upgrade
    /// negotiation as an error; that is no server fault, so it is logged at debug level.
    func handle(value: Value, logger: Logger) async {
        var logger = logger
        logger.handler = HeadlessConnectionLogHandler(base: logger.handler, head: value.head)
        await base.handle(value: value.base, logger: logger)
    }
}

/// Whether a connection ended without ever delivering a complete request head; set by
/// ``RequestHeadGuard``, read by the log handler of ``GuardedChannel``.
final class FirstHeadOutcome: Sendable {
    private let ended = NIOLockedValueBox(false)

    /// True once the connection ended (or is closing) before its first request head.
    var endedWithoutHead: Bool { ended.withLockedValue { $0 } }

    func markEndedWithoutHead() { ended.withLockedValue { $0 = true } }
}

/// Passes log events through, except that errors about a connection that never sent a
/// request head become debug events.
private struct HeadlessConnectionLogHandler: LogHandler {
    var base: any LogHandler
    let head: FirstHeadOutcome

    var logLevel: Logger.Level {
        get { base.logLevel }
        set { base.logLevel = newValue }
    }

    var metadata: Logger.Metadata {
        get { base.metadata }
        set { base.metadata = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { base.metadataProvider }
        set { base.metadataProvider = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { base[metadataKey: key] }
        set { base[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        guard event.level >= .error, head.endedWithoutHead else { return base.log(event: event) }
        guard base.logLevel <= .debug else { return }
        var demoted = event
        demoted.level = .debug
        base.log(event: demoted)
    }
}
