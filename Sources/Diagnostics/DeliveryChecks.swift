import Foundation
import HTTPClient
import PusherProtocol

/// End-to-end checks over a subscribed socket: an event triggered through the Pusher HTTP API
/// arrives, and a presence channel lists the connection's member.
struct DeliveryChecks: Sendable {
    let target: EchoTarget
    let sockets: SocketChecks
    let auth: AuthChecks
    let now: @Sendable () -> Date

    /// The event name the diagnosis publishes.
    static let eventName = "callctl.diagnose"

    /// Triggers an event on `channel` through `POST /apps/{id}/events` and waits for it.
    func eventArrives(on channel: String) async -> Finding<Void> {
        let nonce = UUID().uuidString
        let path = "/apps/\(EchoTarget.escaped(target.app.id))/events"
        let data = PusherJSON.object(["nonce": .string(nonce)]).jsonString
        let body = Data(PusherJSON.object(["name": .string(Self.eventName), "channels": .array([.string(channel)]),
                                           "data": .string(data)]).jsonString.utf8)
        let query = PusherRequestSigner.sign(method: "POST", path: path, body: body, app: target.app,
                                             timestamp: Int(now().timeIntervalSince1970))
        let queryText = query.sorted { $0.key < $1.key }.map { "\($0.key)=\(EchoTarget.escaped($0.value))" }.joined(separator: "&")
        let request = HTTPRequest(method: "POST", url: "\(target.httpOrigin)\(path)?\(queryText)",
                                  headers: [("Content-Type", "application/json")], body: body, timeout: target.timeout, caFile: target.caFile)
        let start = ContinuousClock.now
        let result = await HTTPClient.result(of: request)
        let api = "the HTTP API at \(target.httpOrigin)\(path)"
        switch result {
        case .failure(let error):
            return .fail(error.description, verdict: "\(api) cannot be reached: it must be served where --url points (Reverb serves both)")
        case .success(let response) where !(200..<300).contains(response.status):
            return .fail("\(response.status) from the HTTP API: \(AuthEndpoint.start(response.body))",
                         verdict: Self.apiVerdict(response.status, target: target))
        case .success:
            break
        }
        let arrival = await sockets.awaitMessage(by: start + target.timeout) { message in
            message.event == Self.eventName && message.channel == channel && message.data["nonce"]?.stringValue == nonce
        }
        switch arrival {
        case .success:
            return .pass("\(Self.eventName) arrived \(Timing.text(ContinuousClock.now - start)) after the trigger", ())
        case .failure(let problem):
            return .fail("triggered (accepted by the HTTP API) but \(problem.detail)",
                         verdict: problem.verdict ?? "\(api) accepted the event but it never reached the subscribed socket: app id "
                            + "\(target.app.id) is not the app of key \(target.app.key) on this server (REVERB_APP_ID and "
                            + "REVERB_APP_KEY must belong together), or the servers behind the load balancer do not share events")
        }
    }

    /// Joins `channel` with a signature from the auth endpoint and finds the member in the list.
    func presence(_ channel: String?, socketID: String) async -> Finding<Void> {
        guard let channel else {
            return .skip("no presence channel given: add --presence-channel presence-… (e.g. presence-tenant.{tid}.editing.{type}.{id})")
        }
        let grant: AuthGrant
        switch await auth.endpoint.ask(channel: channel, socketID: socketID, token: target.token) {
        case .granted(let value, let channelData, _, _): grant = AuthGrant(auth: value, channelData: channelData)
        case .refused(let status, let reason, _) where status == 403: return .skip("the token may not join \(channel): 403 \(reason)")
        case .refused(let status, let reason, _):
            return .fail("\(status) for \(channel): \(reason)",
                         verdict: AuthChecks.refusalVerdict(status, reason: reason, channel: channel, url: HTTPClient.redactedURL(target.authURL)))
        case .unexpected(let status, let body):
            return .fail("\(status) for \(channel): \(body)", verdict: "the auth endpoint gives no presence signature: check its broadcaster")
        case .unreachable(let error):
            return .fail(error, verdict: "the auth endpoint stopped answering: check the app")
        }
        guard let channelData = grant.channelData, let member = PresenceMember(channelData: channelData) else {
            return .fail("the auth answer for \(channel) has no channel_data with a user_id",
                         verdict: "the presence channel's callback in routes/channels.php must return the member's data (an array with an id)")
        }
        if case .fail = auth.verify(grant, channel: channel, socketID: socketID).status {
            return .fail("the presence signature does not verify with the configured secret",
                         verdict: "the app and the WebSocket server use different REVERB_APP_SECRET values")
        }
        let joined = await sockets.subscribe(channel, auth: grant.auth, channelData: channelData)
        guard let data = joined.value else {
            return .fail(joined.detail, verdict: joined.verdict ?? "the WebSocket server refused the presence channel")
        }
        var ids: [PusherJSON] = []
        if case .array(let list)? = data["presence"]?["ids"] { ids = list }
        let listed = ids.contains { id in
            switch id {
            case .string(let text): text == member.userID
            case .integer(let number): String(number) == member.userID
            default: false
            }
        }
        guard listed else {
            return .fail("member \(member.userID) is missing from \(channel)'s list \(PusherJSON.array(ids).jsonString.prefix(80))",
                         verdict: "the WebSocket server does not list presence members: check its presence storage (restart it)")
        }
        return .pass("member \(member.userID) listed in \(channel) (\(ids.count) member\(ids.count == 1 ? "" : "s"))", ())
    }

    static func apiVerdict(_ status: Int, target: EchoTarget) -> String {
        switch status {
        case 401, 403:
            "the HTTP API refused the request signed with key \(target.app.key) and the configured secret: the app's REVERB_APP_KEY "
                + "or REVERB_APP_SECRET differs from the WebSocket server's, or this host's clock is off (check timedatectl)"
        case 404:
            "the HTTP API knows no app id \(target.app.id): REVERB_APP_ID differs between the app and the WebSocket server"
        default:
            "the HTTP API failed with \(status): see the WebSocket server's log"
        }
    }
}
