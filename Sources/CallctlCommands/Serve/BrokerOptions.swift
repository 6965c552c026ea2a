import ArgumentParser
import SignalingServer

/// `serve`'s PeerJS broker flags.
struct BrokerOptions: ParsableArguments {
    @Option(name: .customLong("peerjs-path"),
            help: ArgumentHelp("Where the PeerJS broker lives: the browser's new Peer(id, {path}) (its WebSocket is PATH/peerjs).",
                               valueName: "path"))
    var path = "/peerjs"

    @Option(name: .customLong("peerjs-expire-timeout"),
            help: ArgumentHelp("Milliseconds a message waits for a peer that is not connected before its sender gets EXPIRE.",
                               valueName: "ms"))
    var expireTimeout = 5_000

    @Option(name: .customLong("peerjs-alive-timeout"),
            help: ArgumentHelp("Seconds without a HEARTBEAT after which a peer is disconnected.", valueName: "seconds"))
    var aliveTimeout = 60

    @Option(name: .customLong("peerjs-max-peers"), help: ArgumentHelp("Most peers connected to this daemon.", valueName: "n"))
    var maxPeers = 5_000

    @Option(name: .customLong("peerjs-message-rate"),
            help: ArgumentHelp("Messages a peer may send per second; a peer past it gets ERROR and is closed.", valueName: "n"))
    var messageRate = 100

    @Option(name: .customLong("peer-token-ttl"),
            help: ArgumentHelp("Seconds a peer token lets a browser connect after it was issued.", valueName: "seconds"))
    var tokenTTL = 600

    func validate() throws {
        guard path.hasPrefix("/"), path.count > 1, !path.hasSuffix("/"), !["/app", "/apps", "/appointments", "/broadcasting",
              "/call-config", "/healthz", "/readyz", "/metrics"].contains(path),
              path.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "/-_.".contains($0)) }) else {
            throw ValidationError("--peerjs-path must be an absolute path without a trailing slash that no other route uses, "
                                  + "e.g. /peerjs; got '\(path.prefix(64))'")
        }
        guard (100...600_000).contains(expireTimeout) else {
            throw ValidationError("--peerjs-expire-timeout must be 100–600000 ms; got \(expireTimeout)")
        }
        guard (5...3600).contains(aliveTimeout) else { throw ValidationError("--peerjs-alive-timeout must be 5–3600 s; got \(aliveTimeout)") }
        guard (1...1_000_000).contains(maxPeers) else { throw ValidationError("--peerjs-max-peers must be 1–1000000; got \(maxPeers)") }
        guard (1...10_000).contains(messageRate) else { throw ValidationError("--peerjs-message-rate must be 1–10000; got \(messageRate)") }
        guard (30...86_400).contains(tokenTTL) else { throw ValidationError("--peer-token-ttl must be 30–86400 s; got \(tokenTTL)") }
    }

    /// The settings these flags describe.
    var settings: BrokerSettings {
        BrokerSettings(path: path, expireTimeout: .milliseconds(expireTimeout), aliveTimeout: .seconds(aliveTimeout),
                       maximumPeers: maxPeers, tokenLifetime: tokenTTL, messagesPerSecond: messageRate)
    }
}
