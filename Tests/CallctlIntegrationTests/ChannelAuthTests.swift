import Foundation
import Testing

/// `POST /broadcasting/auth` of the daemon's router (in the test process, or a real `callctl serve`
/// where the official `pusher` library or a hub subscriber is the judge): the domain's channel rules for each
/// channel kind and caller, answers signed exactly as the official `pusher` library signs them
/// (what Laravel's broadcaster returns), form and JSON bodies, validation, refusal logs.
@Suite("callctl serve: /broadcasting/auth", .serialized)
struct ChannelAuthTests {
    /// The clinic of a ``ClinicWorld`` with an appointment, a colleague (same tenant, not a
    /// participant) and a stranger (another tenant).
    struct Clinic<World: ClinicWorld> {
        let s: World
        let tenant: Int64
        let appointment: Int64
        let colleague: Int64
        let stranger: Int64

        init(_ s: World) throws {
            self.s = s
            tenant = try s.world.connection.query("SELECT tenant_id FROM users WHERE id = $1", s.doctor).first!.decode(Int64.self, "tenant_id")
            appointment = try s.appointment()
            colleague = try s.person("patient").userId
            let other = try s.world.connection.query("INSERT INTO tenants (slug, name) VALUES ('other', 'Other') RETURNING id")
                .first!.decode(Int64.self, "id")
            stranger = try s.world.connection.query("""
                INSERT INTO users (tenant_id, name, email, role) VALUES ($1, 'stranger', 'stranger@example.test', 'doctor') RETURNING id
                """, other).first!.decode(Int64.self, "id")
        }
    }

    @Test("each channel kind × no token, another user, another tenant, the right user: status and reason")
    func decisions() async throws {
        try await RouterWorld.test { s in
            let c = try Clinic(s)
            let (doctor, patient, colleague, stranger) = (c.s.doctor, c.s.patient, c.colleague, c.stranger)
            let cases: [(channel: String, user: Int64?, status: Int, reason: String?)] = [
                ("private-appointments.\(c.appointment)", nil, 401, "unauthenticated"),
                ("private-appointments.\(c.appointment)", colleague, 403, "not_participant"),
                ("private-appointments.\(c.appointment)", stranger, 403, "not_participant"),
                ("private-appointments.\(c.appointment)", doctor, 200, nil),
                ("private-appointments.\(c.appointment)", patient, 200, nil),
                ("private-appointments.999999", doctor, 403, "not_participant"),
                ("private-users.\(doctor)", nil, 401, "unauthenticated"),
                ("private-users.\(doctor)", colleague, 403, "not_participant"),
                ("private-users.\(doctor)", stranger, 403, "not_participant"),
                ("private-users.\(doctor)", doctor, 200, nil),
                ("private-App.Models.User.\(patient)", nil, 401, "unauthenticated"),
                ("private-App.Models.User.\(patient)", doctor, 403, "not_participant"),
                ("private-App.Models.User.\(patient)", stranger, 403, "not_participant"),
                ("private-App.Models.User.\(patient)", patient, 200, nil),
                ("private-tenant.\(c.tenant).announcements", nil, 401, "unauthenticated"),
                ("private-tenant.\(c.tenant).announcements", stranger, 403, "wrong_tenant"),
                ("private-tenant.\(c.tenant).announcements", colleague, 200, nil),
                ("presence-tenant.\(c.tenant).editing.appointment.\(c.appointment)", nil, 401, "unauthenticated"),
                ("presence-tenant.\(c.tenant).editing.appointment.\(c.appointment)", stranger, 403, "wrong_tenant"),
                ("presence-tenant.\(c.tenant).editing.appointment.\(c.appointment)", colleague, 200, nil),
                ("private-encrypted-appointments.\(c.appointment)", doctor, 403, "unknown_channel"),
                ("presence-lobby", doctor, 403, "unknown_channel"),
            ]
            for (channel, user, status, reason) in cases {
                let answer = try await c.auth(channel, as: user)
                if let reason {
                    answer.expectError(status, reason)
                } else {
                    #expect(answer.status == 200 && (answer.json["auth"] as? String)?.hasPrefix("\(ServeProcess.appKey):") == true,
                            "\(channel) as \(user.map(String.init) ?? "nobody"): \(answer.text)")
                    #expect((answer.json["channel_data"] != nil) == channel.hasPrefix("presence-"), "\(channel): \(answer.text)")
                }
            }
        }
    }

    @Test("public channels, PRIVATE-/Presence- spellings included, are never signed (403 unknown_channel, as Laravel); the hub subscribes them without auth, as Pusher")
    func publicChannelsNotSigned() throws {
        let c = try Clinic(ServeWorld())
        let (doctor, patient) = (c.s.doctor, c.s.patient)
        let variants = [
            "PRIVATE-appointments.\(c.appointment)", "Private-appointments.\(c.appointment)", "PRIVATE-users.\(doctor)",
            "Private-App.Models.User.\(patient)", "PRIVATE-tenant.\(c.tenant).announcements",
            "Presence-tenant.\(c.tenant).editing.appointment.\(c.appointment)", "PRESENCE-tenant.\(c.tenant).editing.appointment.\(c.appointment)",
        ]
        let plain = ["news", "appointments.\(c.appointment)", "users.\(doctor)", "public-news"]
        for channel in variants + plain {
            for user in [doctor, patient, c.colleague, c.stranger] {
                let answer = try c.auth(channel, as: user)
                answer.expectError(403, "unknown_channel")
                #expect(answer.json["auth"] == nil, "\(channel) as \(user) was signed: \(answer.text)")
                let message = answer.json["error"] as? String ?? ""
                #expect(message.contains("signs only private- and presence- channels"), "\(channel): \(answer.text)")
                #expect(message.contains("lowercase") == variants.contains(channel), "\(channel): \(answer.text)")
            }
        }
        // The hub: PRIVATE-appointments.N is a public channel of its own, apart from private-appointments.N.
        let hub = try HubPeer.run("case_variant", [c.s.server], [
            "channel": "PRIVATE-appointments.\(c.appointment)", "twin": "private-appointments.\(c.appointment)",
        ])
        #expect(hub["variant"] as? String == "pusher_internal:subscription_succeeded", "\(hub)")
        #expect(hub[path: "twin_unsigned.event"] as? String == "pusher:error", "\(hub)")
        #expect(hub["received"] as? String == "PRIVATE-appointments.\(c.appointment)", "\(hub)")
        #expect(hub["after"] as? [String] == [], "the twin's event reached the variant's subscriber: \(hub)")
    }

    @Test("a token whose user no longer exists (no users row) is 401 unauthenticated for private, presence and public channels")
    func deletedUser() async throws {
        try await RouterWorld.test { s in
            let c = try Clinic(s)
            let deleted = try c.s.world.connection.query("""
                INSERT INTO users (tenant_id, name, email, role) VALUES ($1, 'gone', 'gone@example.test', 'patient') RETURNING id
                """, c.tenant).first!.decode(Int64.self, "id")
            try c.s.world.connection.query("DELETE FROM users WHERE id = $1", deleted)
            let never = deleted + 1_000_000
            for user in [deleted, never] {
                for channel in ["private-users.\(user)", "private-App.Models.User.\(user)", "private-tenant.\(c.tenant).announcements",
                                "presence-tenant.\(c.tenant).editing.appointment.\(c.appointment)",
                                "private-appointments.\(c.appointment)", "news", "PRIVATE-users.\(user)"] {
                    let answer = try await c.auth(channel, as: user)
                    answer.expectError(401, "unauthenticated")
                    #expect((answer.json["error"] as? String)?.contains("no longer exists") == true, "\(channel) as \(user): \(answer.text)")
                    #expect(answer.headers["www-authenticate"]?.hasPrefix("Bearer") == true, "\(answer.headers)")
                }
            }
            // Logged like every 401 (by ChannelAuthRefusalLog): the channel and the reason.
            let refusals = c.s.server.standardError.split(separator: "\n").filter {
                $0.contains("channel auth refused") && $0.contains("\"reason\":\"unauthenticated\"")
            }
            #expect(refusals.count == 14, "\(c.s.server.standardError.suffix(3000))")
        }
    }

    @Test("private and presence answers equal the official pusher library's authenticate (channel_data as Laravel encodes it)")
    func signaturesMatchThePusherLibrary() throws {
        let c = try Clinic(ServeWorld())
        try c.s.world.connection.query("UPDATE users SET name = 'Dr. José Müller \"Jo\"' WHERE id = $1", c.s.doctor)
        let peer = PusherPeer(server: c.s.server)
        let privateChannel = "private-appointments.\(c.appointment)"
        let mine = try c.auth(privateChannel, as: c.s.doctor, socket: "98765.4321")
        let theirs = try peer.call("authenticate", ["channel": privateChannel, "socket_id": "98765.4321"])
        #expect(theirs.ok, "\(theirs.message)")
        #expect(mine.json["auth"] as? String == theirs.object["auth"] as? String, "\(mine.text) vs \(theirs.resultJSON)")
        #expect(mine.json.keys.sorted() == ["auth"], "\(mine.text)")

        let presence = "presence-tenant.\(c.tenant).editing.appointment.\(c.appointment)"
        let member: [String: Any] = ["user_id": c.s.doctor, "user_info": ["id": c.s.doctor, "name": "Dr. José Müller \"Jo\""]]
        let mineP = try c.auth(presence, as: c.s.doctor, socket: "98765.4321")
        let theirsP = try peer.call("authenticate", ["channel": presence, "socket_id": "98765.4321", "custom_data": member])
        #expect(mineP.json["channel_data"] as? String == theirsP.object["channel_data"] as? String, "\(mineP.text) vs \(theirsP.resultJSON)")
        #expect(mineP.json["auth"] as? String == theirsP.object["auth"] as? String, "\(mineP.text) vs \(theirsP.resultJSON)")
        let data = try #require(mineP.json["channel_data"] as? String)
        #expect(data == #"{"user_id":\#(c.s.doctor),"user_info":{"id":\#(c.s.doctor),"name":"Dr. Jos\u00e9 M\u00fcller \"Jo\""}}"#)
    }

    @Test("a form body (what Echo sends) and a JSON body get the same answer")
    func formAndJSONBodies() async throws {
        try await RouterWorld.test { s in
            let c = try Clinic(s)
            let channel = "private-appointments.\(c.appointment)"
            let token = try c.s.token(c.s.patient)
            let json = try await c.s.server.request("POST", "/broadcasting/auth", token: token,
                                              body: Data(#"{"socket_id": "11.22", "channel_name": "\#(channel)"}"#.utf8),
                                              headers: [("Content-Type", "application/json; charset=utf-8")])
            let form = try await c.s.server.request("POST", "/broadcasting/auth", token: token,
                                              body: Data("socket_id=11.22&channel_name=\(channel)&extra=%7Bx%7D".utf8),
                                              headers: [("Content-Type", "application/x-www-form-urlencoded")])
            let escaped = try await c.s.server.request("POST", "/broadcasting/auth", token: token,
                                                 body: Data("channel_name=\(channel.replacingOccurrences(of: ".", with: "%2E"))&socket_id=11%2E22".utf8),
                                                 headers: [("Content-Type", "application/x-www-form-urlencoded")])
            #expect(json.status == 200 && form.status == 200 && escaped.status == 200, "\(json.text) \(form.text) \(escaped.text)")
            #expect(json.json["auth"] as? String != nil)
            #expect(json.json["auth"] as? String == form.json["auth"] as? String)
            #expect(json.json["auth"] as? String == escaped.json["auth"] as? String)
        }
    }

    @Test("a malformed or missing socket_id or channel_name is 422 validation naming the field")
    func validation() async throws {
        try await RouterWorld.test { s in
            let c = try Clinic(s)
            let channel = "private-appointments.\(c.appointment)"
            for socket in ["1234", "abc.def", "1.2.3", "1234.5678 ", "", "-1.2"] {
                let answer = try await c.auth(channel, as: c.s.doctor, socket: socket)
                answer.expectError(422, "validation")
                #expect((answer.json["error"] as? String)?.contains("socket_id") == true, "\(socket): \(answer.text)")
            }
            let token = try c.s.token(c.s.doctor)
            let form = try await c.s.server.request("POST", "/broadcasting/auth", token: token, body: Data("socket_id=12&channel_name=\(channel)".utf8),
                                              headers: [("Content-Type", "application/x-www-form-urlencoded")])
            form.expectError(422, "validation")
            let noChannel = try await c.s.server.request("POST", "/broadcasting/auth", token: token, json: ["socket_id": "1.2"])
            noChannel.expectError(422, "validation")
            #expect((noChannel.json["error"] as? String)?.contains("channel_name") == true, "\(noChannel.text)")
            try await c.auth("private-appointments.1 OR 1=1", as: c.s.doctor).expectError(422, "validation")
            try await c.s.server.request("POST", "/broadcasting/auth", token: token, json: ["socket_id": 12, "channel_name": channel])
                .expectError(422, "validation")
            try await c.s.server.request("POST", "/broadcasting/auth", token: token, body: Data("[1, 2]".utf8),
                                   headers: [("Content-Type", "application/json")]).expectError(400, "validation")
        }
    }

    @Test("each refusal is one JSON log line with userId, channel and reason; the token is never logged")
    func refusalsAreLogged() async throws {
        try await RouterWorld.test { s in
            let c = try Clinic(s)
            let foreign = "private-tenant.\(c.tenant).announcements"
            _ = try await c.auth(foreign, as: c.stranger)
            _ = try await c.auth("private-users.\(c.s.doctor)", as: nil)
            _ = try await c.s.server.request("POST", "/broadcasting/auth", token: "not-a-jwt", json: ["socket_id": "1.2", "channel_name": foreign])
            _ = try await c.auth(foreign, as: c.s.doctor, socket: "x")
            let lines = c.s.server.standardError.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }.filter { $0["msg"] as? String == "channel auth refused" }.map { texts($0) ?? [:] }
            let summary = lines.map { [$0["reason"] ?? "?", $0["channel"] ?? "?", $0["userId"] ?? "-"].joined(separator: " ") }
            #expect(summary == [
                "wrong_tenant \(foreign) \(c.stranger)",
                "unauthenticated private-users.\(c.s.doctor) -",
                "unauthenticated \(foreign) -",
                "validation \(foreign) \(c.s.doctor)",
            ], "\(c.s.server.standardError)")
            for user in [c.stranger, c.s.doctor] {
                #expect(!c.s.server.standardError.contains(try c.s.token(user)))
            }
            #expect(!c.s.server.standardError.contains("not-a-jwt"))
        }
    }
}

extension ChannelAuthTests.Clinic where World == ServeWorld {
    /// `POST /broadcasting/auth` as JSON, with `user`'s token when given.
    func auth(_ channel: String, as user: Int64?, socket: String = "1234.5678") throws -> ServeResponse {
        try s.server.request("POST", "/broadcasting/auth", token: try user.map { try s.token($0) },
                             json: ["socket_id": socket, "channel_name": channel])
    }
}

extension ChannelAuthTests.Clinic where World == RouterWorld {
    /// `POST /broadcasting/auth` as JSON, with `user`'s token when given.
    func auth(_ channel: String, as user: Int64?, socket: String = "1234.5678") async throws -> ServeResponse {
        try await s.server.request("POST", "/broadcasting/auth", token: try user.map { try s.token($0) },
                                   json: ["socket_id": socket, "channel_name": channel])
    }
}
