import Foundation
import Testing
import PusherProtocol

@Suite("Pusher HTTP API request signing")
struct PusherRequestSigningTests {
    /// Body of the worked example, exactly as printed in the docs.
    static let body = Data(#"{"name":"foo","channels":["project-3"],"data":"{\"some\":\"data\"}"}"#.utf8)
    static let timestamp = 1_353_088_179
    static let verifier = PusherRequestVerifier(app: PusherDocs.app)

    static func signed(body: Data = body, query: [String: String] = [:]) -> [String: String] {
        PusherRequestSigner.sign(method: "POST", path: "/apps/3/events", query: query, body: body,
                                 app: PusherDocs.app, timestamp: timestamp)
    }

    @Test("published worked authentication example")
    func docsVector() {
        // Source: https://pusher.com/docs/channels/library_auth_reference/rest-api/#worked-authentication-example
        // (body_md5, string to sign and resulting signature all appear there).
        let params = Self.signed()
        #expect(params == [
            "auth_key": "278d425bdf160c739803",
            "auth_timestamp": "1353088179",
            "auth_version": "1.0",
            "body_md5": "ec365a775a4cd0599faeb73354201b6f",
            "auth_signature": "da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c",
        ])
        #expect(PusherRequestSigner.stringToSign(method: "post", path: "/apps/3/events", query: params)
            == "POST\n/apps/3/events\nauth_key=278d425bdf160c739803&auth_timestamp=1353088179"
            + "&auth_version=1.0&body_md5=ec365a775a4cd0599faeb73354201b6f")
    }

    @Test("keys are lowercased and sorted; values are not URL-escaped; empty body has no body_md5")
    func canonicalQuery() {
        let text = PusherRequestSigner.stringToSign(method: "GET", path: "/apps/3/channels",
                                                    query: ["Name": "Something else", "auth_key": "foo", "auth_signature": "x"])
        #expect(text == "GET\n/apps/3/channels\nauth_key=foo&name=Something else")
        let params = PusherRequestSigner.sign(method: "GET", path: "/apps/3/channels", query: ["info": "user_count"],
                                              app: PusherDocs.app, timestamp: Self.timestamp)
        #expect(params["body_md5"] == nil)
        #expect(params["info"] == "user_count")
        #expect(throws: Never.self) {
            try Self.verifier.verify(method: "GET", path: "/apps/3/channels", query: params, body: Data(), now: Self.timestamp)
        }
    }

    @Test("a correctly signed request verifies within the tolerance")
    func verifies() throws {
        let params = Self.signed(query: ["socket_id": "1.2"])
        for now in [Self.timestamp, Self.timestamp + 600, Self.timestamp - 600] {
            try Self.verifier.verify(method: "POST", path: "/apps/3/events", query: params, body: Self.body, now: now)
        }
    }

    @Test("timestamp skew is its own error, in both directions")
    func skew() {
        let params = Self.signed()
        #expect(throws: PusherRequestAuthError.timestampSkew(seconds: 601)) {
            try Self.verifier.verify(method: "POST", path: "/apps/3/events", query: params, body: Self.body, now: Self.timestamp + 601)
        }
        #expect(throws: PusherRequestAuthError.timestampSkew(seconds: -601)) {
            try Self.verifier.verify(method: "POST", path: "/apps/3/events", query: params, body: Self.body, now: Self.timestamp - 601)
        }
        let strict = PusherRequestVerifier(app: PusherDocs.app, tolerance: 5)
        #expect(throws: PusherRequestAuthError.timestampSkew(seconds: 6)) {
            try strict.verify(method: "POST", path: "/apps/3/events", query: params, body: Self.body, now: Self.timestamp + 6)
        }
    }

    @Test("tampering with body, timestamp, signature, path or parameters is refused")
    func tampering() {
        let params = Self.signed()
        func refuse(_ error: PusherRequestAuthError, method: String = "POST", path: String = "/apps/3/events",
                    query: [String: String]? = nil, body: Data = Self.body) {
            #expect(throws: error) {
                try Self.verifier.verify(method: method, path: path, query: query ?? params, body: body, now: Self.timestamp)
            }
        }
        refuse(.bodyMismatch, body: Data(#"{"name":"bar"}"#.utf8))
        var noMD5 = params
        noMD5["body_md5"] = nil
        refuse(.bodyMismatch, query: noMD5)
        var retimed = params
        retimed["auth_timestamp"] = String(Self.timestamp + 1)
        refuse(.invalidSignature, query: retimed)
        var resigned = params
        resigned["auth_signature"] = String(repeating: "0", count: 64)
        refuse(.invalidSignature, query: resigned)
        var extra = params
        extra["socket_id"] = "1.2"
        refuse(.invalidSignature, query: extra)
        refuse(.invalidSignature, path: "/apps/4/events")
        refuse(.invalidSignature, method: "PUT")
    }

    @Test("missing or wrong auth parameters get specific errors")
    func parameterErrors() {
        let params = Self.signed()
        func refuse(_ error: PusherRequestAuthError, _ change: (inout [String: String]) -> Void) {
            var query = params
            change(&query)
            #expect(throws: error) {
                try Self.verifier.verify(method: "POST", path: "/apps/3/events", query: query, body: Self.body, now: Self.timestamp)
            }
        }
        for name in ["auth_key", "auth_timestamp", "auth_version", "auth_signature"] {
            refuse(.missingParameter(name)) { $0[name] = nil }
        }
        refuse(.unknownKey) { $0["auth_key"] = "someoneelse" }
        refuse(.unsupportedVersion("2.0")) { $0["auth_version"] = "2.0" }
        refuse(.invalidTimestamp) { $0["auth_timestamp"] = "yesterday" }
        refuse(.timestampSkew(seconds: Int.max)) { $0["auth_timestamp"] = String(Int.min) }
    }

    @Test("a query naming a key twice, ignoring case, is refused naming the key, even when either value would verify")
    func duplicateKeys() throws {
        let params = Self.signed(query: ["socket_id": "1.2"])
        let items = params.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }
        try Self.verifier.verify(method: "POST", path: "/apps/3/events", queryItems: items, body: Self.body, now: Self.timestamp)
        func refuse(_ name: String, _ items: [(name: String, value: String)], sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(throws: PusherRequestAuthError.duplicateParameter(name), sourceLocation: sourceLocation) {
                try Self.verifier.verify(method: "POST", path: "/apps/3/events", queryItems: items, body: Self.body, now: Self.timestamp)
            }
        }
        // The same value twice, another spelling of the name, the signed value last or first.
        refuse("auth_key", items + [(name: "auth_key", value: PusherDocs.app.key)])
        refuse("auth_key", items + [(name: "AUTH_KEY", value: "someoneelse")])
        refuse("auth_key", [(name: "Auth_Key", value: "someoneelse")] + items)
        refuse("body_md5", items + [(name: "body_md5", value: params["body_md5"] ?? "")])
        refuse("auth_signature", items + [(name: "AUTH_SIGNATURE", value: String(repeating: "0", count: 64))])
        refuse("socket_id", items + [(name: "Socket_ID", value: "9.9")])
        // The dictionary form: two keys differing in case are a duplicate too.
        var cased = params
        cased["AUTH_KEY"] = "someoneelse"
        #expect(throws: PusherRequestAuthError.duplicateParameter("auth_key")) {
            try Self.verifier.verify(method: "POST", path: "/apps/3/events", query: cased, body: Self.body, now: Self.timestamp)
        }
        #expect(PusherRequestAuthError.duplicateParameter("auth_key").description.contains("auth_key"))
    }

    @Test("every error explains itself in one sentence")
    func errorSentences() {
        let errors: [PusherRequestAuthError] = [.missingParameter("auth_key"), .duplicateParameter("body_md5"), .unknownKey, .unsupportedVersion("2"),
                                                .invalidTimestamp, .timestampSkew(seconds: 700), .bodyMismatch, .invalidSignature]
        for error in errors {
            #expect(error.description.hasSuffix("."))
            #expect(!error.description.contains(PusherDocs.app.secret))
        }
    }
}
