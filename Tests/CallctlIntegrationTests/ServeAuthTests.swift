import Foundation
import Testing

/// `callctl serve`'s bearer tokens (HS256, Passport RS256, revocation by jti) and the
/// configuration errors that keep it from starting (exit 78).
@Suite("callctl serve: authentication and startup configuration", .serialized)
struct ServeAuthTests {
    /// Records an issue unless `response` is a 401 `unauthenticated` with the JSON body,
    /// `WWW-Authenticate: Bearer error="invalid_token"` and, when given, `mentioning` in the sentence.
    private func expectUnauthenticated(_ response: ServeResponse, mentioning: String? = nil,
                                       sourceLocation: SourceLocation = #_sourceLocation) {
        response.expectError(401, "unauthenticated", sourceLocation: sourceLocation)
        #expect(response.headers["www-authenticate"] == #"Bearer error="invalid_token""#, sourceLocation: sourceLocation)
        if let mentioning {
            #expect((response.json["error"] as? String)?.contains(mentioning) == true, "\(response.text)", sourceLocation: sourceLocation)
        }
    }

    @Test("401 without a token, for a malformed one, a wrong signature, an expired token and an RS256 token; 200 for a good one")
    func refusedTokens() throws {
        let s = try ServeWorld()
        let appointment = try s.appointment()
        let path = "/appointments/\(appointment)/call"
        let keys = try RSAKeyPair()
        expectUnauthenticated(try s.server.request("GET", path), mentioning: "Authorization: Bearer")
        expectUnauthenticated(try s.server.request("GET", path, headers: [("Authorization", "Basic ZG9jdG9yOnNlY3JldA==")]),
                              mentioning: "Bearer scheme")
        let cases: [(token: String, mention: String)] = [
            ("not-a-jwt", "well-formed"),
            ("e30.e30.e30", "well-formed"),
            (try ServeToken.hs256(ServeToken.claims(user: s.doctor), secret: "another-secret-of-32-bytes-000000"), "signature"),
            (try ServeToken.hs256(ServeToken.claims(user: s.doctor, expiresIn: -60)), "expired"),
            (try ServeToken.hs256(["sub": s.doctor]), "no exp"),
            (try ServeToken.hs256(ServeToken.claims(user: 0)), "sub"),
            (try keys.rs256(ServeToken.claims(user: s.doctor)), "RS256"),
        ]
        for (token, mention) in cases {
            expectUnauthenticated(try s.server.request("GET", path, token: token), mentioning: mention)
        }
        #expect(try s.server.request("GET", path, token: try s.token(s.doctor)).status == 200)
        #expect(!s.server.standardError.contains(try s.token(s.doctor)))
    }

    @Test("RS256 with Passport's claims (sub as a string, fractional exp, jti) verifies against CALLCTL_JWT_PUBLIC_KEY")
    func passportRS256() throws {
        let keys = try RSAKeyPair()
        let s = try ServeWorld(environment: ["CALLCTL_JWT_SECRET": nil, "CALLCTL_JWT_PUBLIC_KEY": keys.publicKeyPath])
        let appointment = try s.appointment()
        let now = Date().timeIntervalSince1970
        let claims: [String: Any] = [
            "aud": "1", "jti": "8f14e45fceea167a5a36dedd4bea2543", "iat": now - 1.25, "nbf": now - 1.25, "exp": now + 3600.5,
            "sub": String(s.patient), "scopes": [String](),
        ]
        let answer = try s.server.request("POST", "/appointments/\(appointment)/call/request", token: try keys.rs256(claims), json: [:])
        #expect(answer.status == 200, "\(answer.text)")
        #expect(answer.json["callerUserId"] as? Int == Int(s.patient))
        expectUnauthenticated(try s.get(appointment, as: s.patient), mentioning: "HS256")
        let otherKey = try RSAKeyPair()
        expectUnauthenticated(try s.server.request("GET", "/appointments/\(appointment)/call", token: try otherKey.rs256(claims)),
                              mentioning: "signature")
    }

    @Test("with oauth_access_tokens: a revoked, unknown, expired, other user's, client-credentials or missing jti is 401 saying why; a live one is 200, at the API and at /broadcasting/auth")
    func revocation() throws {
        let s = try ServeWorld { world in
            try world.connection.query("""
                CREATE TABLE oauth_access_tokens (id varchar(100) PRIMARY KEY, user_id bigint, revoked boolean NOT NULL,
                                                  expires_at timestamp)
                """)
            try world.connection.query("""
                INSERT INTO oauth_access_tokens VALUES ('live', $1, false, now() + interval '1 hour'), ('revoked', $1, true, NULL),
                    ('patients', $2, false, NULL), ('client', NULL, false, NULL), ('expired', $1, false, now() - interval '1 minute')
                """, world.doctorUserId, world.patientUserId)
        }
        let appointment = try s.appointment()
        let path = "/appointments/\(appointment)/call"
        let refusals: [(jti: String?, mention: String)] = [
            ("revoked", "was revoked"), ("unknown", "unknown to Laravel Passport"), ("patients", "does not match the user"),
            ("client", "client-credentials"), ("expired", "expired in Laravel Passport"), (nil, "no jti"),
        ]
        for (jti, mention) in refusals {
            let token = try s.token(s.doctor, jti: jti)
            expectUnauthenticated(try s.server.request("GET", path, token: token), mentioning: mention)
            let auth = try s.server.request("POST", "/broadcasting/auth", token: token,
                                            json: ["socket_id": "1.1", "channel_name": "private-appointments.\(appointment)"])
            expectUnauthenticated(auth, mentioning: mention)
        }
        let answer = try s.server.request("GET", path, token: try s.token(s.doctor, jti: "live"))
        #expect(answer.status == 200, "\(answer.text)")
        try s.world.connection.query("UPDATE oauth_access_tokens SET revoked = true WHERE id = 'live'")
        expectUnauthenticated(try s.server.request("GET", path, token: try s.token(s.doctor, jti: "live")), mentioning: "revoked")
    }

    @Test("startup refusals exit 78 naming the fix: no JWT configuration, a short secret, both keys, TURN without its secret")
    func configurationErrors() throws {
        let database = try TestDatabase()
        _ = try database.migrated()
        let keys = try RSAKeyPair()
        let cases: [(environment: [String: String?], mention: String)] = [
            (["CALLCTL_JWT_SECRET": nil], "CALLCTL_JWT_SECRET"),
            (["CALLCTL_JWT_SECRET": "Xq7short"], "shorter than 32 bytes"),
            (["CALLCTL_JWT_SECRET": String(repeating: "x", count: 31)], "shorter than 32 bytes"),
            (["CALLCTL_JWT_PUBLIC_KEY": keys.publicKeyPath], "both CALLCTL_JWT_SECRET and CALLCTL_JWT_PUBLIC_KEY"),
            (["CALLCTL_JWT_SECRET": nil, "CALLCTL_JWT_PUBLIC_KEY": "/nonexistent/oauth-public.key"], "not a readable PEM"),
            (["CALLCTL_JWT_SECRET": nil, "CALLCTL_JWT_PUBLIC_KEY": "/etc/passwd"], "does not hold an RSA public key"),
            (["CALLCTL_ICE_SERVERS": "stun:127.0.0.1:3478,turn:127.0.0.1:3478"], "CALLCTL_TURN_SECRET"),
            (["CALLCTL_ICE_SERVERS": "http://127.0.0.1"], "CALLCTL_ICE_SERVERS"),
        ]
        for (environment, mention) in cases {
            let ending = try ServeProcess.refusal(database, environment: environment)
            #expect(ending.status == 78, "\(environment): \(ending.standardError)")
            #expect(ending.standardError.contains(mention), "\(environment): \(ending.standardError)")
            #expect(!ending.standardError.contains("Xq7short"))
        }
    }

    @Test("an unmigrated database: exit 78 naming `callctl migrate up`")
    func unmigratedDatabase() throws {
        let ending = try ServeProcess.refusal(try TestDatabase())
        #expect(ending.status == 78, "\(ending.standardError)")
        #expect(ending.standardError.contains("callctl migrate up"), "\(ending.standardError)")
    }
}
