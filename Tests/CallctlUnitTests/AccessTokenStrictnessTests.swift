import AccessTokens
import Foundation
import Testing

/// One meaning per bearer token: a member named twice (in any spelling), a `crit` extension,
/// an `exp` beyond the maximum lifetime and a `sub` that is not the canonical spelling of a
/// user id are refused, even when the signature verifies.
@Suite("Access tokens: one meaning per token")
struct AccessTokenStrictnessTests {
    static let secret = Array(FuzzAccessTokenTests.secret.utf8)
    static let now = FuzzAccessTokenTests.now
    static let header = #"{"alg":"HS256","typ":"JWT"}"#
    /// 10 minutes after ``now``.
    static let exp = "1800000600"

    /// A token with `header` and `claims` signed with the verifier's secret.
    static func signed(header: String = header, _ claims: String) -> String {
        FuzzAccessTokenTests.forge(header: header, claims: claims, key: secret)
    }

    /// The refusal of `claims` (signed), or nil when it verified.
    static func refusal(header: String = header, _ claims: String,
                        verifier: AccessTokenVerifier? = nil) async throws -> AccessTokenError.Kind? {
        let verifier = if let verifier { verifier } else { try await AccessTokenVerifier.hs256(secret: FuzzAccessTokenTests.secret) }
        return await FuzzAccessTokenTests.refusal(signed(header: header, claims), verifier)
    }

    @Test("a claim given twice is refused as malformed, in any spelling of its name, whichever value comes first")
    func duplicateClaims() async throws {
        for claims in [
            #"{"sub":"1","sub":"2","exp":\#(Self.exp)}"#,
            #"{"sub":"2","exp":\#(Self.exp),"sub":"1"}"#,
            #"{"s\u0075b":"1","sub":"2","exp":\#(Self.exp)}"#,
            #"{"sub":"1","\u0073\u0075\u0062":"1","exp":\#(Self.exp)}"#,
            #"{"sub":"1","exp":\#(Self.exp),"exp":1}"#,
            #"{"sub":"1","exp":\#(Self.exp),"jti":"a","jti":"b"}"#,
            #"{"sub":"1","exp":\#(Self.exp),"x\"y":1,"x\u0022y":2}"#,
            #"{"sub":"1","exp":\#(Self.exp),"\ud83e\udd80":1,"🦀":2}"#,
            #"{"sub":"1","exp":\#(Self.exp),"e\u0301":1,"é":2}"#,
        ] {
            #expect(try await Self.refusal(claims) == .malformed, "\(claims)")
        }
    }

    @Test("names are read after unescaping and only at the top level: nested or quoted look-alikes are no duplicates")
    func distinctClaims() async throws {
        for claims in [
            #"{"sub":"1","exp":\#(Self.exp),"x":{"sub":"2","sub":"3"}}"#,
            #"{"sub":"1","exp":\#(Self.exp),"x":[{"exp":1},{"exp":2}]}"#,
            #"{"x":"\"sub\":\"2\",","sub":"1","exp":\#(Self.exp),"y":"}{[\\"}"#,
            #"{ "sub" : "1" ,"exp":\#(Self.exp), "Sub":"2", "sub ":"3", "s\\u0075b":"4" }"#,
        ] {
            #expect(try await Self.refusal(claims) == nil, "\(claims)")
        }
    }

    @Test("a header member given twice (two alg) is refused as malformed, whichever alg comes first")
    func duplicateHeaderMembers() async throws {
        let claims = #"{"sub":"1","exp":\#(Self.exp)}"#
        for header in [#"{"alg":"HS256","alg":"none"}"#, #"{"alg":"none","alg":"HS256"}"#, #"{"alg":"HS256","a\u006cg":"HS256"}"#,
                       #"{"alg":"HS256","typ":"JWT","typ":"JWT"}"#] {
            #expect(try await Self.refusal(header: header, claims) == .malformed, "\(header)")
        }
    }

    @Test("any crit header is refused: callctl understands no JWS extension (RFC 7515 §4.1.11)")
    func criticalExtensions() async throws {
        let claims = #"{"sub":"1","exp":\#(Self.exp)}"#
        for header in [#"{"alg":"HS256","crit":["exp"],"exp":1800000600}"#, #"{"alg":"HS256","crit":["b64"],"b64":false}"#,
                       #"{"alg":"HS256","crit":[]}"#, #"{"alg":"HS256","cr\u0069t":["x"],"x":1}"#] {
            #expect(try await Self.refusal(header: header, claims) == .malformed, "\(header)")
        }
        let verifier = try await AccessTokenVerifier.hs256(secret: FuzzAccessTokenTests.secret)
        do {
            _ = try await verifier.verify(Self.signed(header: #"{"alg":"HS256","crit":["x"],"x":1}"#, claims), now: Self.now)
            Issue.record("a token with an unknown crit header verified")
        } catch {
            #expect(error.message.contains("crit"), "\(error.message)")
        }
    }

    @Test("exp at most 366 days ahead (the default) is accepted; further, or 1e308, is refused as lifetime_too_long")
    func lifetimeCap() async throws {
        let now = Int(Self.now.timeIntervalSince1970)
        #expect(AccessTokenVerifier.defaultMaximumLifetime == 366 * 86_400)
        #expect(try await Self.refusal(#"{"sub":"1","exp":\#(now + 366 * 86_400)}"#) == nil)
        #expect(try await Self.refusal(#"{"sub":"1","exp":\#(now + 366 * 86_400 + 5)}"#) == nil, "within the clock leeway")
        for exp in ["\(now + 366 * 86_400 + 60)", "\(now + 100 * 366 * 86_400)", "1e308", "1.7976931348623157e308", "9223372036854775807"] {
            #expect(try await Self.refusal(#"{"sub":"1","exp":\#(exp)}"#) == .lifetimeTooLong, "exp \(exp)")
        }
        let hour = try await AccessTokenVerifier.hs256(secret: FuzzAccessTokenTests.secret, maximumLifetime: 3600)
        #expect(try await Self.refusal(#"{"sub":"1","exp":\#(now + 3600)}"#, verifier: hour) == nil)
        #expect(try await Self.refusal(#"{"sub":"1","exp":\#(now + 3700)}"#, verifier: hour) == .lifetimeTooLong)
        do {
            _ = try await hour.verify(Self.signed(#"{"sub":"1","exp":\#(now + 7200)}"#), now: Self.now)
            Issue.record("a token past the maximum lifetime verified")
        } catch {
            #expect(error.message.contains("more than 1 hour from now"), "\(error.message)")
        }
    }

    @Test("sub must spell a user id canonically: 02, +2, 2e0, 2.0 and friends no longer mean user 2")
    func canonicalSubject() async throws {
        for sub in [#""2""#, "2", #""9223372036854775807""#, "9223372036854775807", #""\u0032""#] {
            let verifier = try await AccessTokenVerifier.hs256(secret: FuzzAccessTokenTests.secret)
            let verified = try await verifier.verify(Self.signed(#"{"sub":\#(sub),"exp":\#(Self.exp)}"#), now: Self.now)
            #expect(verified.userId == (sub.contains("922") ? Int64.max : 2), "\(sub)")
        }
        for sub in [#""02""#, #""+2""#, #""2.0""#, #""2e0""#, #"" 2""#, #""2 ""#, #""0""#, #""-2""#, #""""#, #""٢""#, #""２""#,
                    "2e0", "2.0", "2.5", "-2", "0", "-0", "20e-1", "9223372036854775808", #""9223372036854775808""#,
                    "true", "null", "[2]", #"{"id":2}"#] {
            #expect(try await Self.refusal(#"{"sub":\#(sub),"exp":\#(Self.exp)}"#) == .badSubject, "sub \(sub)")
        }
    }
}
