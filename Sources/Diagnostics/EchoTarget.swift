import Foundation
import HTTPClient
import PusherProtocol

/// A setting of `diagnose echo` that cannot be used; the sentence says what to give instead.
public struct EchoTargetError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What is wrong and what to do.
    public let description: String

    /// Creates an error with its message.
    public init(_ description: String) { self.description = description }
}

/// What `diagnose echo` checks: the WebSocket server, the Pusher app, the app's auth endpoint,
/// the tokens and the channels.
public struct EchoTarget: Sendable {
    /// True for `wss://`.
    public let secure: Bool
    /// The WebSocket server's host (without brackets for IPv6).
    public let host: String
    /// The WebSocket server's port.
    public let port: Int
    /// The app's id, key and secret (the secret is never printed).
    public let app: PusherApp
    /// The app's `/broadcasting/auth` URL.
    public let authURL: String
    /// A bearer token of a user who may subscribe to ``channel``.
    public let token: String
    /// A bearer token of a user of another tenant, for the isolation check.
    public let foreignToken: String?
    /// A `private-`/`presence-` channel the token's user may subscribe to.
    public let channel: String
    /// A `presence-` channel for the membership check, if any.
    public let presenceChannel: String?
    /// The time limit of each check.
    public let timeout: Duration
    /// The external server the outbox also publishes to (`CALLCTL_PUSHER_URL`), if any.
    public let external: ExternalPusherServer?
    /// PEM certificates to trust for wss:// and https:// besides the system's (`--ca-file`).
    public let caFile: String?

    /// Validates the settings.
    /// - Parameter url: `ws://host[:port]` or `wss://host[:port]` (port 80/443 by default).
    public init(url: String, app: PusherApp, authURL: String, token: String, foreignToken: String? = nil,
                channel: String, presenceChannel: String? = nil, timeout: Duration = .seconds(5),
                external: ExternalPusherServer? = nil, caFile: String? = nil) throws(EchoTargetError) {
        let address = try ServerURL(url: url, example: "the WebSocket server, e.g. wss://ws.example.org:443")
        guard let auth = URLComponents(string: authURL), ["http", "https"].contains(auth.scheme?.lowercased() ?? ""),
              auth.host?.isEmpty == false else {
            throw EchoTargetError("--auth-url must be the app's http(s)://…/broadcasting/auth URL; got '\(HTTPClient.redactedURL(authURL))'")
        }
        for (flag, value) in [("--app-id", app.id), ("--app-key", app.key), ("--app-secret", app.secret)] where value.isEmpty {
            throw EchoTargetError("\(flag) is empty; give it or the matching REVERB_* variable")
        }
        guard !token.isEmpty else {
            throw EchoTargetError("--token is empty (is the shell variable you passed, e.g. $TOKEN, set?): give a bearer token of "
                                  + "a user who may subscribe to --channel")
        }
        try Self.requireAuthChannel(channel, flag: "--channel", prefixes: ["private-", "presence-"])
        if let presenceChannel {
            try Self.requireAuthChannel(presenceChannel, flag: "--presence-channel", prefixes: ["presence-"])
        }
        guard timeout > .zero else { throw EchoTargetError("--timeout must be above 0 seconds") }
        (secure, host, port) = (address.secure, address.host, address.port)
        self.app = app
        self.authURL = authURL
        self.token = token
        self.foreignToken = foreignToken?.isEmpty == true ? nil : foreignToken
        self.channel = channel
        self.presenceChannel = presenceChannel
        self.timeout = timeout
        self.external = external
        self.caFile = caFile
    }

    /// `host:port`, with brackets around an IPv6 host.
    public var hostPort: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// The HTTP(S) origin of the WebSocket server, where the Pusher HTTP API answers too.
    var httpOrigin: String { "\(secure ? "https" : "http")://\(hostPort)" }

    /// The WebSocket URL as pusher-js opens it.
    var socketURL: String {
        "\(secure ? "wss" : "ws")://\(hostPort)/app/\(Self.escaped(app.key))?protocol=\(PusherMessage.protocolVersion)&client=callctl&version=1.0&flash=false"
    }

    /// The values that must never appear in output.
    var secrets: [String] { [app.secret, token, foreignToken, external?.app.secret].compactMap { $0 } }

    /// Percent-encodes a query value or path segment (only unreserved characters stay).
    static func escaped(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn:
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")) ?? text
    }

    private static func requireAuthChannel(_ name: String, flag: String, prefixes: [String]) throws(EchoTargetError) {
        guard PusherChannelName(name) != nil, prefixes.contains(where: name.hasPrefix) else {
            throw EchoTargetError("\(flag) must be a channel starting with \(prefixes.joined(separator: " or ")) "
                                  + "(e.g. private-appointments.42); got '\(name.prefix(64))'")
        }
    }
}

/// Whether a URL's host is an IP address literal (`127.0.0.1`, `[::1]`).
enum IPAddressText {
    static func isLiteral(_ host: String) -> Bool {
        let bare = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, bare, &v4) == 1 || inet_pton(AF_INET6, bare, &v6) == 1
    }
}
