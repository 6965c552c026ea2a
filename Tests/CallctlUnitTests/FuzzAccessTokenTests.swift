import AccessTokens
import Crypto
import Foundation
import JWTKit
import Testing

/// Passport-shaped claims for the tokens the fuzzer starts from.
private struct FuzzClaims: JWTPayload {
    var sub: String
    var exp: Double
    var jti: String?

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// Hostile bearer tokens: refused with an `AccessTokenError` of the documented kind, and
/// nothing verifies but the token the secret signed, spelled the one canonical way.
@Suite("Fuzz: bearer tokens")
struct FuzzAccessTokenTests {
    static let suite = "bearer tokens"
    static let secret = "0123456789abcdef0123456789abcdef"
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let base64URL = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    static let claimsJSON = #"{"exp":1800000600,"sub":"42"}"#

    /// A token signed by jwt-kit, as a real issuer would.
    private static func sign(_ claims: FuzzClaims) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        return try await keys.sign(claims)
    }

    /// An HS256-shaped token signed with swift-crypto's HMAC directly, so any key length
    /// works (jwt-kit asserts HS256 keys of at least 32 bytes).
    static func forge(header: String = #"{"alg":"HS256","typ":"JWT"}"#, claims: String = claimsJSON, key: [UInt8]) -> String {
        let input = base64URLEncoded(Array(header.utf8)) + "." + base64URLEncoded(Array(claims.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: SymmetricKey(data: key))
        return input + "." + base64URLEncoded(Array(mac))
    }

    static func base64URLEncoded(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// The kind of refusal, or nil when the token verified.
    static func refusal(_ token: String, _ verifier: AccessTokenVerifier) async -> AccessTokenError.Kind? {
        do {
            _ = try await verifier.verify(token, now: now)
            return nil
        } catch {
            // Typed throws: `error` is an AccessTokenError; its message is a sentence without the token.
            #expect(error.message.hasSuffix(".") && (token.utf8.count < 24 || !error.message.contains(token)))
            return error.kind
        }
    }

    /// Refusals that a token with a broken encoding, header or signature may get.
    static let structuralKinds: Set<AccessTokenError.Kind> = [.malformed, .wrongAlgorithm, .badSignature]

    @Test("one-character edits of a valid token never verify (seed 0x3D7, base 1,500)")
    func mutatedTokens() async throws {
        let verifier = try await AccessTokenVerifier.hs256(secret: Self.secret)
        let valid = try await Self.sign(FuzzClaims(sub: "42", exp: 1_800_000_600, jti: "abc"))
        #expect(await Self.refusal(valid, verifier) == nil, "the unmutated token must verify")
        var run = FuzzRun(Self.suite, "mutated tokens", seed: 0x3D7, base: 1_500)
        var kinds: [AccessTokenError.Kind: Int] = [:]
        var accepted: [String] = []
        let characters = Array(valid)
        let dots = characters.indices.filter { characters[$0] == "." }
        for iteration in 0..<run.iterations {
            var mutated = characters
            // Aim at header, payload and signature in turn.
            let segment = iteration % 3
            let range = segment == 0 ? 0..<dots[0] : segment == 1 ? (dots[0] + 1)..<dots[1] : (dots[1] + 1)..<characters.count
            let position = Int.random(in: range, using: &run.generator)
            switch Int.random(in: 0..<4, using: &run.generator) {
            case 0, 1: // another base64url character
                var replacement = Self.base64URL.randomElement(using: &run.generator)!
                while replacement == mutated[position] { replacement = Self.base64URL.randomElement(using: &run.generator)! }
                mutated[position] = replacement
            case 2: // a character outside the alphabet
                mutated[position] = ["=", "+", "/", ".", " ", "\u{0}", "é", "\u{301}"].randomElement(using: &run.generator)!
            default: // insert or delete
                if Bool.random(using: &run.generator) { mutated.remove(at: position) } else {
                    mutated.insert(Self.base64URL.randomElement(using: &run.generator)!, at: position)
                }
            }
            let token = String(mutated)
            guard token != valid else { continue }
            guard let kind = await Self.refusal(token, verifier) else { accepted.append(token); continue }
            kinds[kind, default: 0] += 1
            #expect(Self.structuralKinds.contains(kind), "\(token): \(kind)")
        }
        run.finish(budget: .seconds(20))
        #expect(accepted.isEmpty, "\(accepted.count) altered tokens verified, e.g. \(accepted.prefix(3)) (valid: \(valid))")
        #expect((kinds[.badSignature] ?? 0) > 100 && (kinds[.malformed] ?? 0) > 100, "\(kinds)")
    }

    @Test("every replacement of the signature's last character is refused: bad_signature, or malformed when non-canonical")
    func signatureLastCharacter() async throws {
        let verifier = try await AccessTokenVerifier.hs256(secret: Self.secret)
        let valid = try await Self.sign(FuzzClaims(sub: "42", exp: 1_800_000_600, jti: nil))
        let signatureLength = valid.count - (valid.lastIndex(of: ".").map { valid.distance(from: valid.startIndex, to: $0) + 1 } ?? 0)
        #expect(signatureLength == 43, "an HS256 signature is 32 bytes: 43 characters with 2 unused bits")
        let run = FuzzRun(Self.suite, "signature last character", cases: Self.base64URL.count - 1)
        for replacement in Self.base64URL where replacement != valid.last {
            let value = Self.base64URL.firstIndex(of: replacement)!
            // 43 = 4·10 + 3 characters: the last carries 4 bits of the MAC and 2 unused bits.
            let expected: AccessTokenError.Kind = value & 0x03 == 0 ? .badSignature : .malformed
            let kind = await Self.refusal(String(valid.dropLast()) + String(replacement), verifier)
            #expect(kind == expected, "last character \(valid.last!) → \(replacement): \(String(describing: kind))")
        }
        run.finish(budget: .seconds(5))
    }

    @Test("non-canonical base64url in any part is refused as malformed before the signature is checked")
    func nonCanonicalEncodings() async throws {
        let verifier = try await AccessTokenVerifier.hs256(secret: Self.secret)
        // Lengths chosen so every part has unused bits: 34, 35 and 32 bytes → 46, 47 and 43 characters.
        let valid = Self.forge(header: #"{"alg":"HS256","typ":"JWT","x":12}"#, claims: #"{"exp":1800000600,"sub":"42","a":1}"#,
                               key: Array(Self.secret.utf8))
        #expect(await Self.refusal(valid, verifier) == nil, "the forged reference token must verify")
        let parts = valid.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        #expect(parts.map(\.count) == [46, 47, 43])
        var variants: [String] = []
        for index in 0..<3 {
            var part = parts[index]
            func with(_ replaced: String) -> String { (0..<3).map { $0 == index ? replaced : parts[$0] }.joined(separator: ".") }
            // Padding, a length of 4n + 1, '+' and '/' of plain base64, blanks.
            variants += [with(part + "="), with(part + "=="), with(part + String(repeating: "A", count: (5 - part.count % 4) % 4)), with("+" + String(part.dropFirst())), with("/" + String(part.dropFirst())),
                         with(part + " "), with(" " + part), with(part + "\n")]
            if part.count % 4 != 0 {
                // Same bytes, another spelling: set the lowest unused bit of the last character.
                let last = Self.base64URL.firstIndex(of: part.removeLast())!
                variants.append(with(part + String(Self.base64URL[last | 1])))
            }
        }
        variants += [parts.joined(separator: ".."), parts.joined(separator: ".") + ".", "." + valid, parts[0] + "." + parts[1]]
        let run = FuzzRun(Self.suite, "non-canonical encodings", cases: variants.count)
        for variant in variants {
            await #expect(throws: AccessTokenError(.malformed, "The bearer token is not a well-formed JWT: its three parts must be canonical unpadded base64url.")) {
                _ = try await verifier.verify(variant, now: Self.now)
            }
        }
        run.finish(budget: .seconds(5))
    }

    @Test("random tokens, random base64url segments and forged headers (seed 0xB0B, base 1,500)")
    func randomTokens() async throws {
        let verifier = try await AccessTokenVerifier.hs256(secret: Self.secret)
        var run = FuzzRun(Self.suite, "random tokens", seed: 0xB0B, base: 1_500)
        let headers = [#"{"alg":"HS256","typ":"JWT"}"#, #"{"alg":"HS256"}"#, #"{"alg":"none"}"#, #"{"alg":"RS256"}"#,
                       #"{"alg":"hs256"}"#, #"{"alg":"HS256","kid":"x"}"#, #"{"alg":["HS256"]}"#, #"{}"#, "[]", "null"]
        let payloads = [#"{"sub":"42","exp":1800000600}"#, #"{"sub":42,"exp":1e400}"#, #"{"sub":"1","exp":"soon"}"#, "{}", "7"]
        for iteration in 0..<run.iterations {
            let token: String
            switch iteration % 3 {
            case 0: // three random base64url segments
                token = (0..<3).map { _ in Fuzz.randomString(from: Self.base64URL, maxLength: 60, using: &run.generator) }.joined(separator: ".")
            case 1: // arbitrary text, dots likely
                token = Fuzz.randomString(from: Fuzz.awkwardAlphabet + Self.base64URL + [".", ".", "."], maxLength: 120, using: &run.generator)
            default: // well-formed header and claims with a random (or empty) signature
                let header = Self.base64URLEncoded(Array(headers.randomElement(using: &run.generator)!.utf8))
                let payload = Self.base64URLEncoded(Array(payloads.randomElement(using: &run.generator)!.utf8))
                let signature = Self.base64URLEncoded(Fuzz.randomBytes(count: [0, 31, 32, 33].randomElement(using: &run.generator)!, using: &run.generator))
                token = "\(header).\(payload).\(signature)"
            }
            let kind = await Self.refusal(token, verifier)
            #expect(kind.map { Self.structuralKinds.contains($0) } == true, "a forged token verified or got a claims refusal: \(token): \(String(describing: kind))")
        }
        run.finish(budget: .seconds(20))
    }

    /// Whether `text` is a JSON number (RFC 8259 §6).
    static func isJSONNumber(_ text: String) -> Bool {
        text.wholeMatch(of: /-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/) != nil
    }

    @Test("signed tokens: sub in random spellings verifies only when canonical; a claim named twice in any escaping never does (seed 0x5B0, base 600)")
    func subjectSpellingsAndDuplicates() async throws {
        let verifier = try await AccessTokenVerifier.hs256(secret: Self.secret)
        let key = Array(Self.secret.utf8)
        var run = FuzzRun(Self.suite, "sub spellings and duplicate claims", seed: 0x5B0, base: 600)
        var accepted = 0
        for iteration in 0..<run.iterations {
            if iteration % 3 == 2 {
                // The same claim twice, each name spelled with random \uXXXX escapes: never verifies.
                let name = ["sub", "exp", "jti", "nbf"].randomElement(using: &run.generator)!
                func spelled() -> String {
                    name.unicodeScalars.map { scalar in
                        Bool.random(using: &run.generator)
                            ? String(format: Bool.random(using: &run.generator) ? "\\u%04x" : "\\u%04X", scalar.value) : String(scalar)
                    }.joined()
                }
                let value = name == "exp" || name == "nbf" ? "1800000000" : #""7""#
                var members = [#""sub":"42""#, #""exp":1800000600"#, "\"\(spelled())\":\(value)", "\"\(spelled())\":\(value)"]
                members.shuffle(using: &run.generator)
                let claims = "{" + members.joined(separator: ",") + "}"
                let kind = await Self.refusal(Self.forge(claims: claims, key: key), verifier)
                #expect(kind == .malformed, "\(claims): \(String(describing: kind))")
                continue
            }
            // sign, leading zeros, digits, fraction, exponent, blanks; quoted or a bare JSON value.
            var body = ["", "", "", "+", "-"].randomElement(using: &run.generator)!
            body += String(repeating: "0", count: [0, 0, 0, 1, 2].randomElement(using: &run.generator)!)
            body += String((0..<Int.random(in: 0...20, using: &run.generator)).map { _ in "0123456789".randomElement(using: &run.generator)! })
            body += ["", "", "", ".0", ".5", "."].randomElement(using: &run.generator)!
            body += ["", "", "", "e0", "E+1", "e-1"].randomElement(using: &run.generator)!
            let quoted = Bool.random(using: &run.generator)
            if quoted, Int.random(in: 0..<8, using: &run.generator) == 0 { body = [" ", "\\t"].randomElement(using: &run.generator)! + body }
            let sub = quoted ? "\"\(body)\"" : body
            let claims = #"{"exp":1800000600,"sub":\#(sub)}"#
            let token = Self.forge(claims: claims, key: key)
            let canonical = body.wholeMatch(of: /[1-9][0-9]*/) != nil && Int64(body) != nil
            do {
                let verified = try await verifier.verify(token, now: Self.now)
                #expect(canonical && verified.userId == Int64(body), "sub \(sub) verified as user \(verified.userId)")
                accepted += 1
            } catch {
                #expect(!canonical, "canonical sub \(sub) refused: \(error.kind)")
                // A bare value that is no JSON number breaks the payload (malformed); anything else is bad_subject.
                let expected: Set<AccessTokenError.Kind> = quoted || Self.isJSONNumber(body) ? [.badSubject] : [.malformed, .badSubject]
                #expect(expected.contains(error.kind), "sub \(sub): \(error.kind)")
            }
        }
        run.finish(budget: .seconds(20))
        #expect(accepted > 20, "too few canonical spellings were generated: \(accepted)")
    }

    @Test("tokens signed with keys of any length, alg=none, another alg and over-long tokens (seed 0x5EC, base 200)")
    func forgedAndOversized() async throws {
        let verifier = try await AccessTokenVerifier.hs256(secret: Self.secret)
        // The forger is right: with the real secret its token verifies.
        #expect(await Self.refusal(Self.forge(key: Array(Self.secret.utf8)), verifier) == nil)
        var run = FuzzRun(Self.suite, "forged keys", seed: 0x5EC, base: 200)
        for iteration in 0..<run.iterations {
            // Keys of 0 to 96 bytes: empty, short (which jwt-kit would refuse to sign with), the
            // secret with one byte changed, truncated or extended.
            var key = Array(Self.secret.utf8)
            switch iteration % 4 {
            case 0: key = Fuzz.randomBytes(count: Int.random(in: 0...96, using: &run.generator), using: &run.generator)
            case 1: key[Int.random(in: 0..<key.count, using: &run.generator)] ^= UInt8.random(in: 1...255, using: &run.generator)
            case 2: key = Array(key.prefix(Int.random(in: 0..<key.count, using: &run.generator)))
            default: key += Fuzz.randomBytes(count: Int.random(in: 1...64, using: &run.generator), using: &run.generator)
            }
            #expect(await Self.refusal(Self.forge(key: key), verifier) == .badSignature, "key \(key)")
        }
        run.finish(budget: .seconds(10))
        let secret = Array(Self.secret.utf8)
        let claims = Self.base64URLEncoded(Array(Self.claimsJSON.utf8))
        #expect(await Self.refusal(Self.base64URLEncoded(Array(#"{"alg":"none"}"#.utf8)) + ".\(claims).", verifier) == .wrongAlgorithm)
        #expect(await Self.refusal(Self.forge(header: #"{"alg":"HS384"}"#, key: secret), verifier) == .wrongAlgorithm)
        #expect(await Self.refusal(Self.forge(header: #"{"typ":"JWT"}"#, key: secret), verifier) == .malformed)
        let valid = try await Self.sign(FuzzClaims(sub: "42", exp: 1_800_000_600, jti: String(repeating: "j", count: 7_000)))
        #expect(valid.utf8.count > AccessTokenVerifier.maximumTokenLength)
        #expect(await Self.refusal(valid, verifier) == .malformed)
        let longest = Self.forge(claims: #"{"exp":1800000600,"sub":"42","x":""# + String(repeating: "x", count: 6_000) + #""}"#, key: secret)
        #expect(longest.utf8.count < AccessTokenVerifier.maximumTokenLength)
        #expect(await Self.refusal(longest, verifier) == nil, "a long token under the limit verifies")
        #expect(await Self.refusal(String(repeating: "a.", count: 5_000), verifier) == .malformed)
    }
}
