import Testing
import PusherProtocol

@Suite("Pusher socket ids and channel names")
struct PusherNamingTests {
    @Test("valid socket ids", arguments: ["1234.1234", "0.0", "123456789.987654321"])
    func validSocketIDs(text: String) {
        #expect(SocketID(text)?.rawValue == text)
    }

    @Test("invalid socket ids", arguments: ["", "1234", "1234.", ".1234", "1.2.3", "12a4.1", "-1.2", " 1.2", "1.2\n",
                                            "١.٢", String(repeating: "1", count: 21) + ".1"])
    func invalidSocketIDs(text: String) {
        #expect(SocketID(text) == nil)
    }

    @Test("random socket ids are valid and differ")
    func randomSocketIDs() {
        let ids = (0..<100).map { _ in SocketID.random() }
        for id in ids { #expect(SocketID(id.rawValue) == id) }
        #expect(Set(ids).count == ids.count)
    }

    @Test("channel kinds come from the prefix", arguments: [
        ("my-channel", ChannelKind.public),
        ("private-orders.1", .private),
        ("private-encrypted-chat", .privateEncrypted),
        ("presence-room@1", .presence),
        ("privately", .public),
        // Prefixes are case-sensitive, as in pusher-js and Pusher's servers: these are public.
        ("PRIVATE-appointments.3", .public),
        ("Presence-tenant.1.editing.note.5", .public),
        ("Private-Encrypted-chat", .public),
    ])
    func kinds(name: String, kind: ChannelKind) {
        #expect(PusherChannelName(name)?.kind == kind)
        #expect(PusherChannelName(name)?.kind.requiresAuth == (kind != .public))
    }

    @Test("allowed characters and length limit")
    func nameRules() {
        #expect(PusherChannelName("A-Za-z0-9_-=@,.;") != nil)
        #expect(PusherChannelName(String(repeating: "a", count: 164)) != nil)
        #expect(PusherChannelName(String(repeating: "a", count: 165)) == nil)
        for bad in ["", "has space", "slash/", "colon:", "star*", "é", "tab\t", "hash#"] {
            #expect(PusherChannelName(bad) == nil, "\(bad) should be refused")
        }
    }

    @Test("client events need the client- prefix and a private or presence channel")
    func clientEvents() throws {
        let privateChannel = try #require(PusherChannelName("private-a"))
        let presence = try #require(PusherChannelName("presence-a"))
        #expect(privateChannel.allowsClientEvent("client-typing"))
        #expect(presence.allowsClientEvent("client-typing"))
        #expect(!privateChannel.allowsClientEvent("typing"))
        #expect(!privateChannel.allowsClientEvent("pusher:subscribe"))
        #expect(!privateChannel.allowsClientEvent("client-" + String(repeating: "x", count: 194)))
        #expect(!(try #require(PusherChannelName("public"))).allowsClientEvent("client-typing"))
        #expect(!(try #require(PusherChannelName("private-encrypted-a"))).allowsClientEvent("client-typing"))
    }
}
