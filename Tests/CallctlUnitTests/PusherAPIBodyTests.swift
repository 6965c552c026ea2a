import Foundation
import PusherProtocol
@testable import SignalingServer
import Testing

/// The Pusher HTTP API's body rules and answers, and the `/broadcasting/auth` body and answer.
@Suite("Pusher HTTP API and channel auth bodies")
struct PusherAPIBodyTests {
    let app = PusherApp(id: "7", key: "app-key", secret: "app-secret")
    let limits = PusherAPILimits(maximumDataBytes: 10 * 1024)

    func event(_ json: String) throws -> PusherEventBody {
        try PusherEventBody.decode(PusherEventBody.self, from: Data(json.utf8))
    }

    func refusal(_ work: () throws -> Any?) -> APIError? {
        do {
            _ = try work()
            return nil
        } catch {
            return error as? APIError
        }
    }

    @Test("an event becomes one HubEvent per distinct channel with the sender excluded")
    func events() throws {
        let body = try event(#"{"name":"e","data":"{\"a\":1}","channels":["a","private-b","a"],"socket_id":"1.2","info":"subscription_count"}"#)
        let (events, info) = try body.events(app: app, limits: limits)
        #expect(events == [
            HubEvent(appID: "7", channel: "a", event: "e", data: #"{"a":1}"#, excludedSocket: "1.2"),
            HubEvent(appID: "7", channel: "private-b", event: "e", data: #"{"a":1}"#, excludedSocket: "1.2"),
        ])
        #expect(info == ChannelAttributes(userCount: false, subscriptionCount: true))
        let single = try event(#"{"name":"e","data":"","channel":"c"}"#).events(app: app, limits: limits)
        #expect(single.events.map(\.channel) == ["c"] && single.events[0].excludedSocket == nil)
    }

    @Test("limits and malformed members are refused with Pusher's statuses and the member named")
    func refusals() throws {
        let channels = (0...100).map { "\"c\($0)\"" }.joined(separator: ",")
        let cases: [(String, Int, String, String)] = [
            (#"{"name":"e","data":"x","channels":[\#(channels)]}"#, 400, "too_many_channels", "100"),
            (#"{"name":"e","data":"\#(String(repeating: "x", count: 10 * 1024 + 1))","channel":"c"}"#, 413, "too_large", "10240"),
            (#"{"name":"\#(String(repeating: "n", count: 201))","data":"x","channel":"c"}"#, 400, "validation", "200"),
            (#"{"name":"pusher_internal:member_added","data":"x","channel":"c"}"#, 400, "validation", "reserves"),
            (#"{"data":"x","channel":"c"}"#, 400, "validation", "name is required"),
            (#"{"name":"e","channel":"c"}"#, 400, "validation", "data is required"),
            (#"{"name":"e","data":"x"}"#, 400, "validation", "channel or channels"),
            (#"{"name":"e","data":"x","channels":[]}"#, 400, "validation", "channel or channels"),
            (#"{"name":"e","data":"x","channel":"a b"}"#, 400, "validation", "\"a b\""),
            (#"{"name":"e","data":"x","channel":"c","socket_id":"1.2.3"}"#, 400, "validation", "socket_id"),
            (#"{"name":"e","data":"x","channel":"c","info":"members"}"#, 400, "validation", "info"),
        ]
        for (json, status, reason, mention) in cases {
            let error = refusal { try event(json).events(app: app, limits: limits) }
            #expect(error?.status.code == status && error?.reason == reason, "\(json.prefix(80)): \(String(describing: error))")
            #expect(error?.message.contains(mention) == true, "\(json.prefix(80)): \(error?.message ?? "")")
        }
        let typed = refusal { try event(#"{"name":"e","data":{"a":1},"channel":"c"}"#) }
        #expect(typed?.status == .badRequest && typed?.message.hasPrefix("data must be a string") == true, "\(String(describing: typed))")
        let batched = refusal {
            try PusherEventBody.decode(PusherEventBody.Batch.self, from: Data(#"{"batch":[{"name":"e","data":1}]}"#.utf8))
        }
        #expect(batched?.message.hasPrefix("batch[0].data must be a string") == true, "\(String(describing: batched))")
        let inBatch = refusal { try event(#"{"name":"e","data":"x","channels":["c"]}"#).events(app: app, limits: limits, item: 3) }
        #expect(inBatch?.message.hasPrefix("batch[3].channels is not allowed") == true, "\(String(describing: inBatch))")
        #expect(refusal { try event("[]") }?.status == .badRequest)
    }

    @Test("info attributes: user_count only for presence, absent values left out, unoccupied counts zero")
    func attributes() throws {
        let both = try ChannelAttributes(info: "user_count, subscription_count")
        #expect(both == ChannelAttributes(userCount: true, subscriptionCount: true))
        #expect(try ChannelAttributes(info: nil) == ChannelAttributes())
        #expect(refusal { try both.requirePresence(false, for: "channel c") }?.message.contains("presence") == true)
        #expect(refusal { try both.requirePresence(true, for: "channel presence-c") } == nil)
        let occupied = HubChannelInfo(name: "presence-c", subscriptionCount: 3, userCount: 2)
        #expect(both.values(occupied, isPresence: true) == ChannelAttributeValues(userCount: 2, subscriptionCount: 3))
        #expect(both.values(nil, isPresence: true) == ChannelAttributeValues(userCount: 0, subscriptionCount: 0))
        #expect(both.values(nil, isPresence: false) == ChannelAttributeValues(userCount: nil, subscriptionCount: 0))
        let encoded = String(decoding: JSONBody.encode(ChannelStateAnswer(occupied: false, userCount: nil, subscriptionCount: 0)), as: UTF8.self)
        #expect(encoded == #"{"occupied":false,"subscription_count":0}"#)
        #expect(String(decoding: JSONBody.encode(BatchAnswer(batch: [ChannelAttributeValues()])), as: UTF8.self) == #"{"batch":[{}]}"#)
    }

    @Test("each failed signature check is a 401 with its own reason; a stale timestamp says why it is refused")
    func signatureRefusals() {
        let cases: [(PusherRequestAuthError, String)] = [
            (.missingParameter("auth_key"), "missing_auth"), (.unknownKey, "invalid_key"),
            (.unsupportedVersion("2.0"), "invalid_auth_version"), (.invalidTimestamp, "invalid_timestamp"),
            (.timestampSkew(seconds: 601), "stale_timestamp"), (.bodyMismatch, "body_md5_mismatch"),
            (.invalidSignature, "invalid_signature"),
        ]
        for (error, reason) in cases {
            let answer = PusherAPIRequest.refusal(error, app: app)
            #expect(answer.status == .unauthorized && answer.reason == reason)
            #expect(!answer.message.contains(app.secret))
        }
        #expect(PusherAPIRequest.refusal(.timestampSkew(seconds: -700), app: app).message.contains("replayed"))
    }

    @Test("/broadcasting/auth bodies: form, JSON with or without a content type, and the fields validated")
    func channelAuthBodies() throws {
        let form = ChannelAuthBody.Fields(form: "socket_id=1.2&channel_name=private-a%2Eb&channel_name=ignored&x=%zz")
        #expect(form == ChannelAuthBody.Fields(socketID: "1.2", channelName: "private-a.b"))
        #expect(ChannelAuthBody.Fields(form: "socket_id=1%zz2").socketID == "1%zz2")
        let json = try ChannelAuthBody.parse(Data(#" {"socket_id":"1.2","channel_name":"c"}"#.utf8), contentType: nil)
        #expect(json == ChannelAuthBody.Fields(socketID: "1.2", channelName: "c"))
        let declared = try ChannelAuthBody.parse(Data(#"{"socket_id":"1.2"}"#.utf8), contentType: "Application/JSON; charset=utf-8")
        #expect(declared.socketID == "1.2" && declared.channelName == nil)
        #expect(refusal { try ChannelAuthBody.parse(Data("[]".utf8), contentType: "application/json") }?.status == .badRequest)
        #expect(refusal { try ChannelAuthBody.parse(Data(#"{"socket_id":1}"#.utf8), contentType: nil) }?.message == "socket_id must be a string.")

        let valid = try ChannelAuthBody.validate(ChannelAuthBody.Fields(socketID: "123.456", channelName: "private-x"))
        #expect(valid.socketID.rawValue == "123.456" && valid.channelName == "private-x")
        for fields in [ChannelAuthBody.Fields(socketID: nil, channelName: "c"), ChannelAuthBody.Fields(socketID: "1.2.3", channelName: "c")] {
            #expect(refusal { try ChannelAuthBody.validate(fields) }?.message.hasPrefix("socket_id") == true)
        }
        let noChannel = refusal { try ChannelAuthBody.validate(ChannelAuthBody.Fields(socketID: "1.2", channelName: "")) }
        #expect(noChannel?.status == .unprocessableContent && noChannel?.message.hasPrefix("channel_name") == true)
    }

    @Test("presence channel_data is PHP's json_encode of the member and is what the signature covers")
    func presenceAnswer() throws {
        #expect(ChannelAuthAnswer.channelData(userId: 5, name: "Zoë/\"Q\"\\\n😀")
                == #"{"user_id":5,"user_info":{"id":5,"name":"Zo\u00eb\/\"Q\"\\\n\ud83d\ude00"}}"#)
        let socket = try #require(SocketID("1234.1234"))
        let answer = ChannelAuthAnswer(app: app, socketID: socket, channel: "presence-c", member: (id: 5, name: "Zoë"))
        let data = try #require(answer.channelData)
        #expect(ChannelAuthSignature.verifyChannel(auth: answer.auth, app: app, socketID: "1234.1234", channel: "presence-c", channelData: data))
        let privately = ChannelAuthAnswer(app: app, socketID: socket, channel: "private-c", member: nil)
        #expect(privately.channelData == nil)
        #expect(ChannelAuthSignature.verifyChannel(auth: privately.auth, app: app, socketID: "1234.1234", channel: "private-c"))
        #expect(String(decoding: JSONBody.encode(privately), as: UTF8.self) == #"{"auth":"\#(privately.auth)"}"#)
    }
}
