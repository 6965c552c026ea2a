import ArgumentParser
import SignalingServer

/// `serve`'s WebSocket hub flags.
struct HubOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Seconds of client silence before the server pings it (announced as activity_timeout).",
                               valueName: "seconds"))
    var activityTimeout = 120

    @Option(help: ArgumentHelp("Seconds a pinged client has to answer before it is closed with 4201.", valueName: "seconds"))
    var pongTimeout = 30

    @Option(help: ArgumentHelp("Largest message from a client or the HTTP API, in bytes.", valueName: "bytes"))
    var maxMessageSize = 10 * 1024

    @Option(help: ArgumentHelp("Most connections per app on this daemon (4004 beyond it).", valueName: "n"))
    var maxConnections = 20_000

    @Option(help: ArgumentHelp("Most distinct members of a presence channel.", valueName: "n"))
    var presenceLimit = 100

    @Option(help: ArgumentHelp("Client events per connection and second (4301 beyond it).", valueName: "n"))
    var clientEventRate = 10

    @Option(name: .customLong("allowed-origin"),
            help: ArgumentHelp("An Origin allowed to open WebSockets, e.g. https://app.example.com (repeatable; default: any).",
                               valueName: "origin"))
    var allowedOrigins: [String] = []

    @Option(help: ArgumentHelp("Most channels one connection may subscribe to (LimitReached beyond it).", valueName: "n"))
    var maxChannels = 100

    @Option(help: ArgumentHelp("Subscriptions per connection and second (4301 beyond it).", valueName: "n"))
    var subscribeRate = 50

    @Option(help: ArgumentHelp("Messages per connection and second; a connection past it is closed with 4100 (reconnect after a back-off).",
                               valueName: "n"))
    var messageRate = 100

    @Option(name: .customLong("max-connections-per-ip"),
            help: ArgumentHelp("Most connections from one client address on this daemon (4004 beyond it).", valueName: "n"))
    var maxConnectionsPerIP = 100

    @Option(name: .customLong("trusted-proxy"),
            help: ArgumentHelp("A reverse proxy whose X-Forwarded-For names the client, as an address or CIDR range, e.g. "
                               + "127.0.0.1 or 10.0.0.0/8 (repeatable; default: none, the socket's peer is the client). Used for "
                               + "the per-address limit and the audit IP.", valueName: "cidr"))
    var trustedProxies: [String] = []

    func validate() throws {
        guard (5...3600).contains(activityTimeout) else { throw ValidationError("--activity-timeout must be 5–3600; got \(activityTimeout)") }
        guard (1...600).contains(pongTimeout) else { throw ValidationError("--pong-timeout must be 1–600; got \(pongTimeout)") }
        guard (256...1_048_576).contains(maxMessageSize) else {
            throw ValidationError("--max-message-size must be 256–1048576 bytes; got \(maxMessageSize)")
        }
        guard (1...1_000_000).contains(maxConnections) else { throw ValidationError("--max-connections must be 1–1000000") }
        guard (1...10_000).contains(presenceLimit) else { throw ValidationError("--presence-limit must be 1–10000") }
        guard (1...1000).contains(clientEventRate) else { throw ValidationError("--client-event-rate must be 1–1000") }
        guard (1...10_000).contains(maxChannels) else { throw ValidationError("--max-channels must be 1–10000; got \(maxChannels)") }
        guard (1...100_000).contains(messageRate) else { throw ValidationError("--message-rate must be 1–100000; got \(messageRate)") }
        guard (1...10_000).contains(subscribeRate) else { throw ValidationError("--subscribe-rate must be 1–10000; got \(subscribeRate)") }
        guard (1...1_000_000).contains(maxConnectionsPerIP) else {
            throw ValidationError("--max-connections-per-ip must be 1–1000000; got \(maxConnectionsPerIP)")
        }
        for proxy in trustedProxies where TrustedProxies.Range(parsing: proxy) == nil {
            throw ValidationError("--trusted-proxy takes an IP address or a CIDR range such as 10.0.0.0/8 or ::1/128; got '\(proxy)'")
        }
        for origin in allowedOrigins where !(origin.hasPrefix("http://") || origin.hasPrefix("https://")) || origin.hasSuffix("/") {
            throw ValidationError("--allowed-origin takes scheme://host[:port] without a trailing slash, e.g. https://app.example.com; got '\(origin)'")
        }
    }

    /// The settings these flags describe.
    var settings: HubSettings {
        HubSettings(activityTimeout: activityTimeout, pongTimeout: pongTimeout, maximumMessageBytes: maxMessageSize,
                    presenceMemberLimit: presenceLimit, connectionLimit: maxConnections, clientEventsPerSecond: clientEventRate,
                    allowedOrigins: allowedOrigins, channelsPerConnection: maxChannels, subscriptionsPerSecond: subscribeRate,
                    messagesPerSecond: messageRate,
                    connectionsPerAddress: maxConnectionsPerIP,
                    trustedProxies: TrustedProxies(ranges: trustedProxies.compactMap(TrustedProxies.Range.init(parsing:))))
    }
}
