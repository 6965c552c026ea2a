import Foundation
import HTTPClient

/// The `--url` of a diagnosis: a ws:// or wss:// server's scheme, host and port.
struct ServerURL: Sendable {
    /// True for `wss://`.
    let secure: Bool
    /// The host (without brackets for IPv6).
    let host: String
    /// The port (80/443 by default).
    let port: Int

    /// Reads `url`; `example` completes the error message (what the server is, e.g. a URL).
    init(url: String, example: String) throws(EchoTargetError) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              ["ws", "wss"].contains(scheme), let host = components.host, !host.isEmpty else {
            throw EchoTargetError("--url must be ws://host:port or wss://host:port (\(example)); got '\(HTTPClient.redactedURL(url))'")
        }
        // SwiftNIO's TLS sends the host as the server name (SNI), and an IP address is no valid one.
        if scheme == "wss", IPAddressText.isLiteral(host) {
            throw EchoTargetError("--url wss:// needs the server's host name, as its certificate names it, not the IP address "
                                  + "\(host): add the name to /etc/hosts if DNS does not have it yet")
        }
        secure = scheme == "wss"
        self.host = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        port = components.port ?? (secure ? 443 : 80)
    }
}
