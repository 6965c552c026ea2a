import CallStore
import Foundation
import PusherProtocol
@testable import SignalingServer
import Testing

@Suite("Pusher webhooks: body, signature, backoff and configuration")
struct PusherWebhookFormatTests {
    let apps = PusherApps([PusherApp(id: "1", key: "k1", secret: "s1"), PusherApp(id: "2", key: "k2", secret: "s2")])!

    @Test("the body is {events, time_ms} with Pusher's event objects, signed with the hex HMAC-SHA256 of the body")
    func bodyAndSignature() {
        let body = PusherWebhook.body(events: [.object(["name": .string("channel_occupied"), "channel": .string("test_channel")])],
                                      time: Date(timeIntervalSince1970: 1_327_078_148.132))
        #expect(String(decoding: body, as: UTF8.self)
                == #"{"events":[{"channel":"test_channel","name":"channel_occupied"}],"time_ms":1327078148132}"#)
        // python3: hmac.new(b"7ad3773142a6692b25b8", body, hashlib.sha256).hexdigest()
        #expect(PusherWebhook.signature(body: body, secret: "7ad3773142a6692b25b8")
                == "a847ffec5c537d6886fd770058a55b05a1ec9c310e2e60604847379ef87c94a4")
        let headers = PusherWebhook.headers(body: body, app: PusherApp(id: "1", key: "the-key", secret: "7ad3773142a6692b25b8"))
        #expect(headers.map(\.0) == ["Content-Type", "X-Pusher-Key", "X-Pusher-Signature"])
        #expect(headers[1].1 == "the-key" && headers[0].1 == "application/json")
    }

    @Test("each kind carries Pusher's fields: user_id for members, event, data, socket_id (and user_id on presence) for client events; and callctl_event_id")
    func eventObjects() {
        #expect(WebhookSender.pusherEvent(.occupancy(false, appID: "1", channel: "c"), id: 41).jsonString
                == #"{"callctl_event_id":"41","channel":"c","name":"channel_vacated"}"#)
        #expect(WebhookSender.pusherEvent(.member(true, appID: "1", channel: "presence-c", userID: "7"), id: 42).jsonString
                == #"{"callctl_event_id":"42","channel":"presence-c","name":"member_added","user_id":"7"}"#)
        let client = WebhookEvent.client(appID: "1", channel: "private-c", event: "client-typing", data: #"{"a":1}"#,
                                         socketID: "1.2", userID: nil)
        #expect(WebhookSender.pusherEvent(client, id: 43).jsonString
                == #"{"callctl_event_id":"43","channel":"private-c","data":"{\"a\":1}","event":"client-typing","name":"client_event","socket_id":"1.2"}"#)
    }

    @Test("the backoff doubles from 1 s to at most 5 min", arguments: [
        (1, 1), (2, 2), (3, 4), (4, 8), (5, 16), (6, 32), (7, 64), (8, 128), (9, 256), (10, 300), (60, 300), (Int.max, 300),
    ] as [(Int, Int64)])
    func backoff(attempts: Int, seconds: Int64) {
        #expect(WebhookBackoff.delay(afterAttempts: attempts, jitter: 0) == .seconds(seconds))
    }

    @Test("jitter takes up to a fifth off and never exceeds the maximum")
    func jitter() {
        #expect(WebhookBackoff.delay(afterAttempts: 1, jitter: 0.5) == .milliseconds(900))
        #expect(WebhookBackoff.delay(afterAttempts: 20, jitter: 0.999) > .seconds(240))
        #expect(WebhookBackoff.delay(afterAttempts: 20, jitter: 7) == .seconds(240))
        #expect(WebhookBackoff.delay(afterAttempts: 0, jitter: -1) == .seconds(1))
    }

    @Test("CALLCTL_WEBHOOK_URLS: a URL gets every kind of every app; KINDS=URL narrows kinds and apps")
    func parsing() throws {
        let settings = try #require(try WebhookSettings.parse(
            urls: " https://a.example/hook , channel_occupied+channel_vacated+app:2=http://b.example:8080/h?t=1", maximumPending: "500",
            apps: apps))
        #expect(settings.maximumPending == 500)
        #expect(settings.routes.map(\.url) == ["https://a.example/hook", "http://b.example:8080/h?t=1"])
        #expect(settings.routes[0].kinds == Set(WebhookEventKind.allCases) && settings.routes[0].appIDs == nil)
        #expect(settings.routes[1].wants(.channelVacated, appID: "2") && !settings.routes[1].wants(.channelVacated, appID: "1"))
        #expect(!settings.routes[1].wants(.clientEvent, appID: "2"))
        #expect(settings.routes[1].displayName == "http://b.example:8080/h?…")
        #expect(try WebhookSettings.parse(urls: nil, maximumPending: "5", apps: apps) == nil)
    }

    @Test("bad values are refused with the form", arguments: [
        "ftp://a.example/x", "a.example/x", "member_joined=https://a.example/x", "https://u:p@a.example/x", "https://a.example/x#f",
        "https://a.example/x,,https://b.example/y", "https://a.example/x,https://a.example/x", "app:9=https://a.example/x", "https:///x",
    ])
    func refused(_ urls: String) {
        do {
            _ = try WebhookSettings.parse(urls: urls, maximumPending: nil, apps: apps)
            Issue.record("accepted \(urls)")
        } catch {
            #expect(error.description.hasPrefix("CALLCTL_WEBHOOK_URLS must list") && !error.description.contains("u:p@"),
                    "\(error.description)")
        }
    }

    @Test("the backlog bound is 100 to 1,000,000", arguments: ["99", "1000001", "ten", "-1"])
    func pendingRefused(_ value: String) {
        #expect(throws: WebhookConfigurationError.self) {
            try WebhookSettings.parse(urls: "https://a.example/x", maximumPending: value, apps: apps)
        }
    }
}
