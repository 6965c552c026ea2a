import Foundation
import Testing
import PusherProtocol

@Suite("Pusher message codec and builders")
struct PusherMessageTests {
    /// Decodes the JSON string that the wire carries in `data`.
    static func wireData(_ message: PusherMessage) throws -> PusherJSON {
        let outer = try #require(PusherJSON(parsing: Array(message.encoded().utf8)))
        let text = try #require(outer["data"]?.stringValue, "data must be a JSON-encoded string on the wire")
        return try #require(PusherJSON(parsing: Array(text.utf8)))
    }

    @Test("connection_established carries socket_id and activity_timeout as a string")
    func connectionEstablished() throws {
        let socketID = try #require(SocketID("123.456"))
        let message = PusherMessage.connectionEstablished(socketID: socketID, activityTimeout: 120)
        #expect(message.encoded()
            == #"{"data":"{\"activity_timeout\":120,\"socket_id\":\"123.456\"}","event":"pusher:connection_established"}"#)
        #expect(try Self.wireData(message) == .object(["socket_id": .string("123.456"), "activity_timeout": .integer(120)]))
    }

    @Test("error, pong and member events")
    func builders() throws {
        #expect(try Self.wireData(.error(.appDoesNotExist))
            == .object(["message": .string("Application does not exist"), "code": .integer(4001)]))
        #expect(try Self.wireData(.error(message: "bad", code: nil)) == .object(["message": .string("bad"), "code": .null]))
        #expect(PusherMessage.pong().event == "pusher:pong")
        let added = PusherMessage.memberAdded(channel: "presence-room",
                                              member: PresenceMember(userID: "7", userInfo: .object(["name": .string("Ada")])))
        #expect(added.channel == "presence-room")
        #expect(try Self.wireData(added) == .object(["user_id": .string("7"), "user_info": .object(["name": .string("Ada")])]))
        let removed = PusherMessage.memberRemoved(channel: "presence-room", userID: "7")
        #expect(removed.event == "pusher_internal:member_removed")
        #expect(try Self.wireData(removed) == .object(["user_id": .string("7")]))
    }

    @Test("presence subscription_succeeded lists each user once")
    func presenceSubscription() throws {
        let members = [PresenceMember(userID: "1", userInfo: .object(["name": .string("A")])),
                       PresenceMember(userID: "2"), PresenceMember(userID: "1")]
        let message = PusherMessage.subscriptionSucceeded(channel: "presence-room", members: members)
        #expect(message.event == "pusher_internal:subscription_succeeded")
        #expect(try Self.wireData(message) == .object(["presence": .object([
            "ids": .array([.string("1"), .string("2")]),
            "hash": .object(["1": .object(["name": .string("A")]), "2": .null]),
            "count": .integer(2),
        ])]))
        #expect(try Self.wireData(.subscriptionSucceeded(channel: "private-x")) == .object([:]))
    }

    @Test("decode accepts data as a JSON string or as an object")
    func decodeDataForms() throws {
        let asObject = try PusherMessage.decode(#"{"event":"pusher:subscribe","data":{"channel":"private-a","auth":"k:s"}}"#)
        let asString = try PusherMessage.decode(#"{"event":"pusher:subscribe","data":"{\"channel\":\"private-a\",\"auth\":\"k:s\"}"}"#)
        #expect(asObject == asString)
        #expect(asObject.data["channel"] == .string("private-a"))
        #expect(asObject.channel == nil)
        let plain = try PusherMessage.decode(#"{"event":"client-typing","channel":"private-a","data":"hello"}"#)
        #expect(plain.data == .string("hello"))
        #expect(plain.channel == "private-a")
        #expect(try PusherMessage.decode(#"{"event":"pusher:ping"}"#).data == .null)
    }

    @Test("encode then decode round-trips", arguments: [
        PusherMessage(event: "client-move", channel: "presence-r", data: .object(["x": .number(1.5), "ok": .bool(true)])),
        PusherMessage(event: "App\\Events\\Moved", channel: "private-r", data: .array([.integer(1), .string("a/b")])),
        PusherMessage(event: "plain", channel: "public", data: .string("just text")),
        PusherMessage(event: "pusher:ping"),
        PusherMessage.connectionEstablished(socketID: SocketID("1.2")!, activityTimeout: 30),
    ])
    func roundTrip(message: PusherMessage) throws {
        #expect(try PusherMessage.decode(message.encoded()) == message)
    }

    @Test("oversize frames are refused before parsing")
    func oversize() {
        let big = #"{"event":"client-x","data":""# + String(repeating: "a", count: 10 * 1024) + #""}"#
        #expect(throws: PusherMessageError.tooLarge(bytes: big.utf8.count, limit: 10 * 1024)) {
            try PusherMessage.decode(big)
        }
        // Not even JSON, yet the size error wins: nothing was parsed.
        #expect(throws: PusherMessageError.tooLarge(bytes: 11, limit: 10)) {
            try PusherMessage.decode("{{{{{{{{{{{", maxBytes: 10)
        }
        #expect(throws: Never.self) { try PusherMessage.decode(big, maxBytes: 20_000) }
    }

    @Test("malformed frames are refused", arguments: [
        ("", PusherMessageError.malformedJSON),
        ("{\"event\":", .malformedJSON),
        ("[1,2]", .notAnObject),
        ("\"pusher:ping\"", .notAnObject),
        ("{}", .missingEvent),
        ("{\"event\":\"\"}", .missingEvent),
        ("{\"event\":42}", .missingEvent),
        ("{\"event\":\"e\",\"channel\":7}", .invalidChannel),
    ])
    func malformed(frame: String, error: PusherMessageError) {
        #expect(throws: error) { try PusherMessage.decode(frame) }
    }

    @Test("presence channel_data parsing")
    func presenceMember() throws {
        let member = try #require(PresenceMember(channelData: #"{"user_id":10,"user_info":{"name":"Mr. Channels"}}"#))
        #expect(member.userID == "10")
        #expect(member.userInfo == .object(["name": .string("Mr. Channels")]))
        #expect(PresenceMember(channelData: #"{"user_id":"abc"}"#)?.userInfo == nil)
        #expect(PresenceMember(channelData: #"{"user_id":""}"#) == nil)
        #expect(PresenceMember(channelData: #"{"user_info":{}}"#) == nil)
        #expect(PresenceMember(channelData: "not json") == nil)
    }

    @Test("error codes carry Pusher's numbers and reconnect advice")
    func errorCodes() {
        #expect(PusherErrorCode.appDoesNotExist.rawValue == 4001)
        #expect(PusherErrorCode.overConnectionQuota.rawValue == 4004)
        #expect(PusherErrorCode.connectionUnauthorized.rawValue == 4009)
        #expect(PusherErrorCode.overCapacity.rawValue == 4100)
        #expect(PusherErrorCode.reconnectImmediately.rawValue == 4200)
        #expect(PusherErrorCode.pongNotReceived.rawValue == 4201)
        #expect(PusherErrorCode.clientEventRateLimited.rawValue == 4301)
        #expect(PusherErrorCode.appDoesNotExist.reconnect == .never)
        #expect(PusherErrorCode.overCapacity.reconnect == .afterBackoff)
        #expect(PusherErrorCode.pongNotReceived.reconnect == .immediately)
        #expect(PusherErrorCode.clientEventRateLimited.reconnect == .notApplicable)
    }
}
