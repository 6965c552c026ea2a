import Foundation

/// What `diagnose peerjs` checks: a PeerServer (callctl's broker or a stock `peerjs-server`) at
/// a URL and path, with the app key, and the peers it connects as.
public struct PeerJSTarget: Sendable {
    /// A peer id with the token to connect with.
    public struct Peer: Sendable, Equatable {
        public let id: String
        public let token: String

        /// Creates a peer.
        public init(id: String, token: String) {
            self.id = id
            self.token = token
        }
    }

    /// True for `wss://`.
    public let secure: Bool
    /// The server's host (without brackets for IPv6).
    public let host: String
    /// The server's port.
    public let port: Int
    /// The PeerJS `path` option, e.g. `/peerjs`.
    public let path: String
    /// The PeerJS `key` option (callctl: the Pusher app key).
    public let key: String
    /// The two peers that signal to each other (callctl: a diagnostic pair minted with the app secret).
    public let first: Peer
    public let second: Peer
    /// A peer id nobody issued, which a broker bound to calls must refuse.
    public let unbound: Peer
    /// Whether ``first`` and ``second`` were minted with the app's secret (callctl's broker
    /// admits them); without it only a server that admits any id lets them in.
    public let minted: Bool
    /// The time limit of each check.
    public let timeout: Duration
    /// PEM certificates to trust for wss:// and https:// besides the system's.
    public let caFile: String?

    /// Validates the settings.
    /// - Parameter url: `ws://host[:port]` or `wss://host[:port]` (port 80/443 by default).
    public init(url: String, path: String, key: String, first: Peer, second: Peer, unbound: Peer, minted: Bool,
                timeout: Duration = .seconds(5), caFile: String? = nil) throws(EchoTargetError) {
        let address = try ServerURL(url: url, example: "where browsers reach the PeerServer, e.g. wss://calls.example.org")
        guard path.hasPrefix("/"), !path.contains("?"), !path.contains("#") else {
            throw EchoTargetError("--path must be the PeerJS path option, e.g. /peerjs; got '\(path.prefix(64))'")
        }
        guard !key.isEmpty else { throw EchoTargetError("--key is empty; give it or REVERB_APP_KEY (the PeerJS key option)") }
        guard timeout > .zero else { throw EchoTargetError("--timeout must be above 0 seconds") }
        (secure, host, port) = (address.secure, address.host, address.port)
        self.path = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        self.key = key
        self.first = first
        self.second = second
        self.unbound = unbound
        self.minted = minted
        self.timeout = timeout
        self.caFile = caFile
    }

    /// `host:port`, with brackets around an IPv6 host.
    public var hostPort: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// `GET {path}`: the server's description.
    var infoURL: String { "\(secure ? "https" : "http")://\(hostPort)\(path)" }

    /// The WebSocket URL as the PeerJS client opens it for `peer`.
    func socketURL(_ peer: Peer) -> String {
        let base = path == "/" ? "/" : path + "/"
        return "\(secure ? "wss" : "ws")://\(hostPort)\(base)peerjs?key=\(EchoTarget.escaped(key))&id=\(EchoTarget.escaped(peer.id))"
            + "&token=\(EchoTarget.escaped(peer.token))&version=1.5.4"
    }

    /// The values that must never appear in output.
    var secrets: [String] { [first.token, second.token] }
}
