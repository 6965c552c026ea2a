import Foundation
import PusherProtocol

/// An invalid `CALLCTL_PUSHER_URL`; the description names the variable, the expected form and
/// the problem, never the URL's secret.
public struct ExternalPusherConfigurationError: Error, CustomStringConvertible, Sendable {
    /// What is wrong and how to write it instead.
    public let description: String
}

/// An external Pusher-compatible server (Pusher Channels, Laravel Reverb, Soketi) that the
/// outbox is published to besides the daemon's own hub.
///
/// Written as the Pusher client libraries take it: `http[s]://KEY:SECRET@host[:port]/apps/APP_ID`.
/// Without `KEY:SECRET@` the primary app's key and secret are used, without `/apps/APP_ID` its
/// id. ``description`` never shows the secret.
public struct ExternalPusherTarget: Sendable, Equatable, CustomStringConvertible {
    /// The variable the URL is read from.
    public static let variable = "CALLCTL_PUSHER_URL"
    /// The accepted form, for messages and help.
    public static let form = "http[s]://KEY:SECRET@host[:port]/apps/APP_ID"

    /// `http` or `https`.
    public let scheme: String
    /// The host name or address (IPv6 without brackets).
    public let host: String
    /// The port (the scheme's default when the URL has none).
    public let port: Int
    /// The app id, key and secret requests are signed with.
    public let app: PusherApp
    /// True when the key and secret came from the URL rather than the primary app.
    public let credentialsFromURL: Bool

    /// Parses `text`; `primary` supplies what the URL leaves out (nil when no app is configured).
    public init(parsing text: String, primary: PusherApp?) throws(ExternalPusherConfigurationError) {
        func invalid(_ problem: String) -> ExternalPusherConfigurationError {
            ExternalPusherConfigurationError(description: "\(Self.variable) must look like \(Self.form) "
                + "(or http[s]://host[:port] to use REVERB_APP_ID, REVERB_APP_KEY and REVERB_APP_SECRET): \(problem)")
        }
        guard let components = URLComponents(string: text.trimmingCharacters(in: .whitespaces)) else {
            throw invalid("it is not a URL (percent-encode any @, : or / inside the key or secret)")
        }
        let scheme = components.scheme?.lowercased() ?? ""
        guard scheme == "http" || scheme == "https" else { throw invalid("the scheme must be http or https") }
        var host = components.host ?? ""
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw invalid("the host is missing") }
        guard components.query == nil, components.fragment == nil else { throw invalid("remove the query and fragment") }
        let port = components.port ?? (scheme == "https" ? 443 : 80)
        guard (1...65535).contains(port) else { throw invalid("the port must be 1–65535") }

        let pathParts = components.path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        let id: String
        switch pathParts.count {
        case 0:
            guard let primary else { throw invalid("it names no /apps/APP_ID and REVERB_APP_ID is not set") }
            id = primary.id
        case 2 where pathParts[0] == "apps":
            id = pathParts[1]
            guard id.utf8.count <= 64, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
                throw invalid("the app id must be 1–64 letters, digits, - or _")
            }
        default:
            throw invalid("the path must be /apps/APP_ID or nothing")
        }
        let user = components.user.flatMap { $0.isEmpty ? nil : $0 }
        let password = components.password.flatMap { $0.isEmpty ? nil : $0 }
        switch (user, password) {
        case (let key?, let secret?):
            app = PusherApp(id: id, key: key, secret: secret)
            credentialsFromURL = true
        case (nil, nil):
            guard let primary else {
                throw invalid("it names no KEY:SECRET@ and REVERB_APP_KEY / REVERB_APP_SECRET are not set")
            }
            app = PusherApp(id: id, key: primary.key, secret: primary.secret)
            credentialsFromURL = false
        default:
            throw invalid("give both the key and the secret as KEY:SECRET@, or neither")
        }
        self.scheme = scheme
        self.host = host
        self.port = port
    }

    /// `scheme://host:port`, with brackets around an IPv6 address.
    public var origin: String {
        "\(scheme)://\(host.contains(":") ? "[\(host)]" : host):\(port)"
    }

    /// The path of Pusher's batch trigger endpoint for the app.
    public var batchEventsPath: String {
        "/apps/\(app.id)/batch_events"
    }

    /// `scheme://host:port/apps/APP_ID`: the target without its key and secret.
    public var description: String { "\(origin)/apps/\(app.id)" }
}
