import Foundation
import PusherProtocol
import Testing

/// `callctl serve`'s Pusher HTTP API (`/apps/{id}/…`) judged by the official `pusher`
/// Python library, plus requests signed here for what that library will not send.
@Suite("callctl serve: Pusher HTTP API", .serialized)
struct HubAPITests {
    @Test("the official client's trigger (one and several channels, socket_id) and trigger_batch are accepted")
    func officialClientTriggers() throws {
        let s = try ServeWorld()
        let peer = PusherPeer(server: s.server)
        let one = try peer.call("trigger", ["channels": ["private-appointments.1"], "event": "App\\Events\\AppointmentCallEnded",
                                            "data": #"{"appointmentId":1}"#])
        #expect(one.ok, "\(one.error ?? "") \(one.message)")
        #expect(one.resultJSON == "{}", "\(one.message)")
        let several = try peer.call("trigger", ["channels": ["news", "private-users.2", "presence-tenant.1.editing.note.3"],
                                                "event": "updated", "data": "plain text", "socket_id": "123.456"])
        #expect(several.ok, "\(several.error ?? "") \(several.message)")
        let batch = try peer.call("trigger_batch", ["batch": [
            ["channel": "private-appointments.1", "name": "first", "data": "{}"],
            ["channel": "news", "name": "second", "data": "{}", "socket_id": "1.2"],
        ]])
        #expect(batch.ok, "\(batch.error ?? "") \(batch.message)")
        #expect(batch.resultJSON == #"{"batch":[{},{}]}"#, "\(batch.message)")
        #expect(!s.server.standardError.contains(ServeProcess.appSecret))
    }

    @Test("channel queries with no subscribers: empty channels, occupied false, no users; user_count only for presence")
    func channelQueriesWhenEmpty() throws {
        let s = try ServeWorld()
        let peer = PusherPeer(server: s.server)
        let expected: [(String, [String: Any], String)] = [
            ("channels_info", [:], #"{"channels":{}}"#),
            ("channels_info", ["prefix": "presence-", "attributes": ["user_count", "subscription_count"]], #"{"channels":{}}"#),
            ("channel_info", ["channel": "private-appointments.1", "attributes": ["subscription_count"]],
             #"{"occupied":false,"subscription_count":0}"#),
            ("channel_info", ["channel": "presence-tenant.1.editing.note.3", "attributes": ["user_count", "subscription_count"]],
             #"{"occupied":false,"subscription_count":0,"user_count":0}"#),
            ("channel_info", ["channel": "news"], #"{"occupied":false}"#),
            ("users_info", ["channel": "presence-tenant.1.editing.note.3"], #"{"users":[]}"#),
        ]
        for (action, params, shape) in expected {
            let answer = try peer.call(action, params)
            #expect(answer.ok && answer.resultJSON == shape, "\(action) \(params): \(answer.resultJSON) \(answer.message)")
        }

        let refusals: [(String, [String: Any])] = [
            ("users_info", ["channel": "private-appointments.1"]),
            ("channel_info", ["channel": "private-appointments.1", "attributes": ["user_count"]]),
            ("channels_info", ["attributes": ["user_count"]]),
            ("channels_info", ["prefix": "private-", "attributes": ["user_count"]]),
        ]
        for (action, params) in refusals {
            let answer = try peer.call(action, params)
            #expect(answer.error == "PusherBadRequest" && answer.reason == "validation", "\(action) \(params): \(answer.message)")
        }
        let unknownInfo = try peer.signed("GET", "/apps/\(ServeProcess.appID)/channels", query: ["info": "member_count"])
        unknownInfo.expectError(400, "validation")
    }

    @Test("signatures: wrong secret or key 401, timestamp 601 s off 401 stale_timestamp (590 s passes), body_md5 mismatch 401")
    func refusedSignatures() throws {
        let s = try ServeWorld()
        var peer = PusherPeer(server: s.server)
        let event: [String: Any] = ["name": "probe", "data": "{}", "channel": "news"]
        let now = Int(Date().timeIntervalSince1970)
        #expect(try peer.trigger(event, timestamp: now - 590).status == 200)
        #expect(try peer.trigger(event, timestamp: now + 590).status == 200)
        for timestamp in [now - 601, now + 601, now - 86_400] {
            let stale = try peer.trigger(event, timestamp: timestamp)
            stale.expectError(401, "stale_timestamp")
            #expect((stale.json["error"] as? String)?.contains("replayed") == true, "\(stale.text)")
        }
        let tampered = try peer.signed("POST", "/apps/\(peer.appID)/events", json: event,
                                       signedBody: Data(#"{"name":"probe","data":"{}","channel":"other"}"#.utf8))
        tampered.expectError(401, "body_md5_mismatch")
        let unsigned = try s.server.request("POST", "/apps/\(peer.appID)/events", json: event)
        unsigned.expectError(401, "missing_auth")

        peer.secret = "not-the-secret-of-this-app"
        let wrongSecret = try peer.call("trigger", ["channels": ["news"], "event": "probe", "data": "{}"])
        #expect(wrongSecret.error == "PusherBadAuth" && wrongSecret.reason == "invalid_signature", "\(wrongSecret.message)")
        #expect(!wrongSecret.message.contains(ServeProcess.appSecret))
        try peer.trigger(event).expectError(401, "invalid_signature")
        peer.secret = ServeProcess.appSecret
        peer.key = "another-key"
        let wrongKey = try peer.call("channels_info")
        #expect(wrongKey.error == "PusherBadAuth" && wrongKey.reason == "invalid_key", "\(wrongKey.message)")
    }

    @Test("a query naming a key twice, ignoring case (auth_key, body_md5, auth_signature, info), is 401 duplicate_parameter naming it")
    func duplicateQueryKeys() throws {
        let s = try ServeWorld()
        let peer = PusherPeer(server: s.server)
        let event: [String: Any] = ["name": "probe", "data": "{}", "channel": "news"]
        let body = try JSONSerialization.data(withJSONObject: event)
        let eventsPath = "/apps/\(peer.appID)/events"
        #expect(try peer.signed("POST", eventsPath, body: body).status == 200)
        // Each first value is the signed one, so the request would verify if the repeat were ignored.
        let cases: [(String, String, String, String)] = [
            ("POST", eventsPath, "&auth_key=\(ServeProcess.appKey)", "auth_key"),
            ("POST", eventsPath, "&auth_key=another-key", "auth_key"),
            ("POST", eventsPath, "&AUTH_KEY=another-key", "auth_key"),
            ("POST", eventsPath, "&auth%5Fkey=another-key", "auth_key"),
            ("POST", eventsPath, "&body_md5=\(PusherCrypto.md5Hex(Data("{}".utf8)))", "body_md5"),
            ("POST", eventsPath, "&Auth_Signature=\(String(repeating: "0", count: 64))", "auth_signature"),
            ("GET", "/apps/\(peer.appID)/channels", "&INFO=user_count", "info"),
        ]
        for (method, path, extra, name) in cases {
            let answer = try peer.signed(method, path, query: method == "GET" ? ["info": "subscription_count"] : [:],
                                         body: method == "GET" ? nil : body, appending: extra)
            answer.expectError(401, "duplicate_parameter")
            #expect((answer.json["error"] as? String)?.contains(name) == true, "\(extra): \(answer.text)")
        }
        let log = s.server.standardError
        #expect(log.contains("duplicate_parameter"), "the refusals are not logged: \(log.suffix(1000))")
    }

    @Test("an unknown app id is 404 not_found, for the official client and a signed request")
    func unknownApp() throws {
        let s = try ServeWorld()
        var peer = PusherPeer(server: s.server)
        peer.appID = "9999"
        let answer = try peer.call("trigger", ["channels": ["news"], "event": "probe", "data": "{}"])
        #expect(answer.error == "PusherBadStatus" && answer.message.hasPrefix("404") && answer.reason == "not_found", "\(answer.message)")
        try peer.signed("GET", "/apps/9999/channels").expectError(404, "not_found")
    }

    @Test("limits: 101 channels 400 too_many_channels, 11 events 400 batch_too_large, data over 10 KB 413 too_large; at the limits 200")
    func limits() throws {
        let s = try ServeWorld()
        let peer = PusherPeer(server: s.server)
        let channels = (1...101).map { "private-users.\($0)" }
        #expect(try peer.trigger(["name": "e", "data": "{}", "channels": Array(channels.prefix(100))]).status == 200)
        try peer.trigger(["name": "e", "data": "{}", "channels": channels]).expectError(400, "too_many_channels")

        let item: [String: Any] = ["name": "e", "data": "{}", "channel": "news"]
        let batchPath = "/apps/\(peer.appID)/batch_events"
        let ten = try peer.signed("POST", batchPath, json: ["batch": Array(repeating: item, count: 10)])
        #expect(ten.status == 200 && (ten.json["batch"] as? [Any])?.count == 10, "\(ten.text)")
        try peer.signed("POST", batchPath, json: ["batch": Array(repeating: item, count: 11)]).expectError(400, "batch_too_large")

        #expect(try peer.trigger(["name": "e", "data": String(repeating: "x", count: 10 * 1024), "channel": "news"]).status == 200)
        let large = try peer.trigger(["name": "e", "data": String(repeating: "x", count: 10 * 1024 + 1), "channel": "news"])
        large.expectError(413, "too_large")
        #expect((large.json["error"] as? String)?.contains("10240") == true, "\(large.text)")
        let largeItem: [String: Any] = ["name": "e", "data": String(repeating: "é", count: 5 * 1024 + 1), "channel": "news"]
        try peer.signed("POST", batchPath, json: ["batch": [item, largeItem]]).expectError(413, "too_large")
        try peer.signed("POST", batchPath, body: Data(repeating: 0x20, count: 300 * 1024)).expectError(413, "too_large")
    }

    @Test("malformed events are 400 validation naming the member")
    func malformedEvents() throws {
        let s = try ServeWorld()
        let peer = PusherPeer(server: s.server)
        let cases: [([String: Any], String)] = [
            (["data": "{}", "channel": "news"], "name"),
            (["name": String(repeating: "n", count: 201), "data": "{}", "channel": "news"], "name"),
            (["name": "pusher:subscribe", "data": "{}", "channel": "news"], "reserves"),
            (["name": "e", "channel": "news"], "data"),
            (["name": "e", "data": ["an": "object"], "channel": "news"], "data must be a string"),
            (["name": "e", "data": "{}"], "channel or channels"),
            (["name": "e", "data": "{}", "channel": "bad channel!"], "bad channel!"),
            (["name": "e", "data": "{}", "channel": "news", "socket_id": "not-a-socket"], "socket_id"),
        ]
        for (body, mention) in cases {
            let answer = try peer.trigger(body)
            answer.expectError(400, "validation")
            #expect((answer.json["error"] as? String)?.contains(mention) == true, "\(body): \(answer.text)")
        }
        let batchPath = "/apps/\(peer.appID)/batch_events"
        let multi = try peer.signed("POST", batchPath, json: ["batch": [["name": "e", "data": "{}", "channels": ["news"]]]])
        multi.expectError(400, "validation")
        #expect((multi.json["error"] as? String)?.hasPrefix("batch[0].") == true, "\(multi.text)")
        try peer.signed("POST", batchPath, json: ["batch": []]).expectError(400, "validation")
        try peer.signed("POST", "/apps/\(peer.appID)/events", body: Data("not json".utf8)).expectError(400, "validation")
    }
}
