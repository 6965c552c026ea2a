import Foundation
import HTTPClient
import PusherProtocol

/// The external Pusher/Reverb server the outbox also publishes to (`CALLCTL_PUSHER_URL`), as
/// `diagnose echo`'s `external_server` check reaches it: its origin and the app requests are
/// signed for. The secret is never printed.
public struct ExternalPusherServer: Sendable {
    /// `scheme://host:port`.
    public let origin: String
    /// The app id, key and secret of that server.
    public let app: PusherApp

    /// A server at `origin` hosting `app`.
    public init(origin: String, app: PusherApp) {
        self.origin = origin
        self.app = app
    }

    /// `origin/apps/ID`: the server without its key and secret.
    public var description: String { "\(origin)/apps/\(app.id)" }
}

/// `external_server`: the external server answers a signed `GET /apps/{id}/channels` (the
/// Pusher HTTP API the outbox publishes through) with 200.
struct ExternalServerCheck: Sendable {
    let server: ExternalPusherServer?
    let timeout: Duration
    let now: @Sendable () -> Date

    /// What the outbox does while that server refuses, for every verdict.
    static let meanwhile = "until it accepts, events wait in the outbox for it (`callctl outbox status` lists the failing rows "
        + "with their last error; the relay retries, `callctl outbox flush` delivers them at once)"

    func run() async -> Finding<Void> {
        guard let server else {
            return .skip("CALLCTL_PUSHER_URL is not set (environment or --env-file): no external server receives the events")
        }
        let path = "/apps/\(EchoTarget.escaped(server.app.id))/channels"
        let query = PusherRequestSigner.sign(method: "GET", path: path, app: server.app, timestamp: Int(now().timeIntervalSince1970))
        let queryText = query.sorted { $0.key < $1.key }.map { "\($0.key)=\(EchoTarget.escaped($0.value))" }.joined(separator: "&")
        let request = HTTPRequest(method: "GET", url: "\(server.origin)\(path)?\(queryText)", timeout: timeout)
        let start = ContinuousClock.now
        switch await HTTPClient.result(of: request) {
        case .failure(let error):
            return .fail(error.description, verdict: "the external Pusher/Reverb server \(server) named by CALLCTL_PUSHER_URL does "
                         + "not answer: start it, or fix the host and port in CALLCTL_PUSHER_URL and restart callctl serve; "
                         + Self.meanwhile)
        case .success(let response) where (200..<300).contains(response.status):
            return .pass("GET \(path) signed with key \(server.app.key) answered \(response.status) in "
                         + "\(Timing.text(ContinuousClock.now - start)) at \(server.origin)", ())
        case .success(let response):
            return .fail("\(response.status) from \(server.origin)\(path): \(AuthEndpoint.start(response.body))",
                         verdict: Self.verdict(response.status, server: server))
        }
    }

    static func verdict(_ status: Int, server: ExternalPusherServer) -> String {
        switch status {
        case 401, 403:
            "the external server \(server) refused the request signed with key \(server.app.key): the KEY:SECRET in "
                + "CALLCTL_PUSHER_URL (REVERB_APP_KEY and REVERB_APP_SECRET when the URL has none) differ from that server's "
                + "app, or this host's clock is off (timedatectl); fix the variable in the service's env file and restart "
                + "callctl serve; " + meanwhile
        case 404:
            "the external server knows no app \(server.app.id) at \(server.origin): fix /apps/APP_ID in CALLCTL_PUSHER_URL "
                + "(or REVERB_APP_ID) and restart callctl serve; " + meanwhile
        default:
            "the external server \(server) failed with \(status): see its log; " + meanwhile
        }
    }
}
