import AccessTokens
import Crypto
import Foundation
import JWTKit
import Testing
import _CryptoExtras

/// Claims as Laravel Passport writes them: `sub` a string, dates fractional, a `jti`.
private struct PassportPayload: JWTPayload {
    var sub: String?
    var exp: Double?
    var nbf: Double?
    var jti: String?
    var aud: String? = "1"

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// `sub` as a number, as other issuers write it.
private struct NumericSubject: JWTPayload {
    var sub: Int64
    var exp: Double

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

@Suite("Access tokens")
struct AccessTokenTests {
    let secret = "0123456789abcdef0123456789abcdef"
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func hs256(_ payload: some JWTPayload, secret: String? = nil) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret ?? self.secret), digestAlgorithm: .sha256)
        return try await keys.sign(payload)
    }

    func refusal(_ token: String, verifier: AccessTokenVerifier) async -> AccessTokenError.Kind? {
        do {
            _ = try await verifier.verify(token, now: now)
            return nil
        } catch {
            return error.kind
        }
    }

    @Test("HS256 with Passport claims gives the user and jti")
    func passportClaims() async throws {
        let verifier = try await AccessTokenVerifier.hs256(secret: secret)
        let token = try await hs256(PassportPayload(sub: "42", exp: 1_800_000_600.25, nbf: 1_799_999_999.5, jti: "abc123"))
        let verified = try await verifier.verify(token, now: now)
        #expect(verified.userId == 42)
        #expect(verified.tokenId == "abc123")
        #expect(verified.expiresAt == Date(timeIntervalSince1970: 1_800_000_600.25))
        let numeric = try await verifier.verify(try await hs256(NumericSubject(sub: 7, exp: 1_800_000_600)), now: now)
        #expect(numeric.userId == 7 && numeric.tokenId == nil)
    }

    @Test("every failed check is refused with its kind")
    func refusals() async throws {
        let verifier = try await AccessTokenVerifier.hs256(secret: secret)
        let valid = PassportPayload(sub: "42", exp: 1_800_000_600)
        #expect(await refusal(try await hs256(valid, secret: "another-secret-of-32-bytes-length"), verifier: verifier) == .badSignature)
        #expect(await refusal(try await hs256(PassportPayload(sub: "42", exp: 1_799_999_990)), verifier: verifier) == .expired)
        #expect(await refusal(try await hs256(PassportPayload(sub: "42", exp: nil)), verifier: verifier) == .missingExpiry)
        #expect(await refusal(try await hs256(PassportPayload(sub: "42", exp: 1_800_000_600, nbf: 1_800_000_060)), verifier: verifier) == .notYetValid)
        #expect(await refusal(try await hs256(PassportPayload(sub: "alice", exp: 1_800_000_600)), verifier: verifier) == .badSubject)
        #expect(await refusal(try await hs256(PassportPayload(sub: "-3", exp: 1_800_000_600)), verifier: verifier) == .badSubject)
        #expect(await refusal(try await hs256(PassportPayload(sub: nil, exp: 1_800_000_600)), verifier: verifier) == .badSubject)
        #expect(await refusal("not-a-jwt", verifier: verifier) == .malformed)
        #expect(await refusal("a.b.c", verifier: verifier) == .malformed)
        #expect(await refusal(String(repeating: "a", count: 9000), verifier: verifier) == .malformed)
    }

    @Test("the clock leeway accepts a token a few seconds past exp, not more")
    func leeway() async throws {
        let verifier = try await AccessTokenVerifier.hs256(secret: secret)
        #expect(await refusal(try await hs256(PassportPayload(sub: "1", exp: 1_799_999_997)), verifier: verifier) == nil)
        #expect(await refusal(try await hs256(PassportPayload(sub: "1", exp: 1_799_999_994)), verifier: verifier) == .expired)
    }

    @Test("an unsigned (alg none) or RS256-labelled token is refused by an HS256 verifier")
    func algorithmMismatch() async throws {
        let verifier = try await AccessTokenVerifier.hs256(secret: secret)
        func encode(_ json: String) -> String {
            Data(json.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        }
        let payload = encode(#"{"sub":"1","exp":1800000600}"#)
        #expect(await refusal(encode(#"{"alg":"none","typ":"JWT"}"#) + "." + payload + ".", verifier: verifier) == .wrongAlgorithm)
        #expect(await refusal(encode(#"{"alg":"RS256","typ":"JWT"}"#) + "." + payload + ".c2ln", verifier: verifier) == .wrongAlgorithm)
    }

    @Test("RS256 with a Passport public key; HS256 signed with that key's PEM is refused")
    func rs256() async throws {
        let privateKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let pem = privateKey.publicKey.pemRepresentation
        let verifier = try await AccessTokenVerifier.rs256(publicKeyPEM: pem)
        let keys = JWTKeyCollection()
        await keys.add(rsa: try Insecure.RSA.PrivateKey(backing: privateKey), digestAlgorithm: .sha256)
        let token = try await keys.sign(PassportPayload(sub: "5", exp: 1_800_000_600, jti: "t-1"))
        #expect(try await verifier.verify(token, now: now).userId == 5)
        #expect(await refusal(try await hs256(PassportPayload(sub: "5", exp: 1_800_000_600), secret: pem), verifier: verifier) == .wrongAlgorithm)
        let other = JWTKeyCollection()
        await other.add(rsa: try Insecure.RSA.PrivateKey(backing: try _RSA.Signing.PrivateKey(keySize: .bits2048)), digestAlgorithm: .sha256)
        #expect(await refusal(try await other.sign(PassportPayload(sub: "5", exp: 1_800_000_600)), verifier: verifier) == .badSignature)
    }

    @Test("configuration errors name the variable and never the secret")
    func configuration() async throws {
        await #expect(throws: AccessTokenConfigurationError.self) { try await AccessTokenVerifier.hs256(secret: "short-secret") }
        do {
            _ = try await AccessTokenVerifier.rs256(publicKeyPEM: "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----")
            Issue.record("a broken PEM was accepted")
        } catch {
            #expect(error.description.contains("CALLCTL_JWT_PUBLIC_KEY"))
        }
        do {
            _ = try await AccessTokenVerifier.hs256(secret: "tiny")
            Issue.record("a 4-byte HS256 secret was accepted")
        } catch {
            #expect(error.description.contains("CALLCTL_JWT_SECRET") && !error.description.contains("tiny"))
        }
    }

    @Test("a token from AccessTokenIssuer verifies to its user; with another secret or past its expiry it is refused")
    func issuerRoundTrip() async throws {
        let secret = String(repeating: "k", count: 40)
        let issuer = try await AccessTokenIssuer.hs256(secret: secret)
        let now = Date()
        let token = try await issuer.token(userId: 42, expiry: now.addingTimeInterval(60))
        #expect(try await AccessTokenVerifier.hs256(secret: secret).verify(token, now: now).userId == 42)
        let other = try await AccessTokenVerifier.hs256(secret: String(repeating: "x", count: 40))
        await #expect(throws: AccessTokenError.self) { try await other.verify(token, now: now) }
        await #expect(throws: AccessTokenError.self) {
            try await AccessTokenVerifier.hs256(secret: secret).verify(token, now: now.addingTimeInterval(120))
        }
        await #expect(throws: AccessTokenConfigurationError.self) { try await AccessTokenIssuer.hs256(secret: "short") }
    }
}
