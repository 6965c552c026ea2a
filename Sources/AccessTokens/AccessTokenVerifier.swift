import Foundation
import JWTKit

/// Verifies `Authorization: Bearer` tokens: HS256 with a shared secret (`CALLCTL_JWT_SECRET`)
/// or RS256 with a Laravel Passport public key (`CALLCTL_JWT_PUBLIC_KEY`).
///
/// A token is accepted when its three parts are canonical unpadded base64url (one spelling
/// per token), its header and payload are JSON objects naming each member once, its header
/// names the configured algorithm and no `crit` extension, its signature verifies, it has an
/// `exp` in the future but at most ``maximumLifetime`` away, any `nbf` is not in the future
/// (all with ``clockLeeway``), and its `sub` is a user id spelled canonically (a string of
/// digits without leading zero as Passport writes it, or a JSON integer). Revocation by `jti`
/// is the caller's check: it needs the database.
public struct AccessTokenVerifier: Sendable {
    /// Tokens longer than this are refused before any parsing (a Passport RS256 token is ~1 KB).
    public static let maximumTokenLength = 8192
    /// Allowed difference between this host's clock and the token issuer's, for `exp` and `nbf`.
    public static let clockLeeway: TimeInterval = 5
    /// The default of ``maximumLifetime``: 366 days. Laravel Passport's personal and password
    /// grant tokens last a year by default, so its tokens pass; an `exp` decades away (or
    /// `1e308`) is refused.
    public static let defaultMaximumLifetime: TimeInterval = 366 * 86_400

    /// The JOSE `alg` this verifier accepts: `HS256` or `RS256`.
    public let algorithm: String
    /// The longest time from now to a token's `exp` that is accepted.
    public let maximumLifetime: TimeInterval
    private let keys: JWTKeyCollection

    private init(algorithm: String, keys: JWTKeyCollection, maximumLifetime: TimeInterval) {
        self.algorithm = algorithm
        self.keys = keys
        self.maximumLifetime = maximumLifetime
    }

    /// A verifier for HS256 tokens signed with `secret`.
    /// - Throws: ``AccessTokenConfigurationError`` for a secret under 32 bytes (RFC 7518 §3.2: an
    ///   HS256 key is at least as long as the hash output; jwt-kit asserts it).
    public static func hs256(secret: String, maximumLifetime: TimeInterval = defaultMaximumLifetime)
        async throws(AccessTokenConfigurationError) -> AccessTokenVerifier {
        AccessTokenVerifier(algorithm: "HS256", keys: try await hs256Keys(secret: secret), maximumLifetime: maximumLifetime)
    }

    /// The key collection for an HS256 `secret` of at least 32 bytes, for verifying and signing.
    static func hs256Keys(secret: String) async throws(AccessTokenConfigurationError) -> JWTKeyCollection {
        guard secret.utf8.count >= 32 else {
            throw AccessTokenConfigurationError("CALLCTL_JWT_SECRET is shorter than 32 bytes, the least HS256 allows (RFC 7518 §3.2); use a long random value (e.g. `openssl rand -base64 32`).")
        }
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        return keys
    }

    /// A verifier for RS256 tokens, from the PEM text of an RSA public key (Passport's
    /// `storage/oauth-public.key`) or of a certificate holding one.
    /// - Throws: ``AccessTokenConfigurationError`` when the text is not such a key.
    public static func rs256(publicKeyPEM pem: String, maximumLifetime: TimeInterval = defaultMaximumLifetime)
        async throws(AccessTokenConfigurationError) -> AccessTokenVerifier {
        let key: Insecure.RSA.PublicKey
        do {
            key = pem.contains("BEGIN CERTIFICATE")
                ? try Insecure.RSA.PublicKey(certificatePEM: pem) : try Insecure.RSA.PublicKey(pem: pem)
        } catch {
            throw AccessTokenConfigurationError(
                "CALLCTL_JWT_PUBLIC_KEY does not hold an RSA public key of at least 2048 bits in PEM form; "
                    + "point it at Laravel Passport's storage/oauth-public.key.")
        }
        let keys = JWTKeyCollection()
        await keys.add(rsa: key, digestAlgorithm: .sha256)
        return AccessTokenVerifier(algorithm: "RS256", keys: keys, maximumLifetime: maximumLifetime)
    }

    /// The verified token, or why it is refused.
    public func verify(_ token: String, now: Date) async throws(AccessTokenError) -> VerifiedAccessToken {
        guard token.utf8.count <= Self.maximumTokenLength else {
            throw AccessTokenError(.malformed, "The bearer token is longer than \(Self.maximumTokenLength) bytes.")
        }
        guard Self.isCanonicalCompactJWS(token) else {
            throw AccessTokenError(.malformed, "The bearer token is not a well-formed JWT: its three parts must be canonical unpadded base64url.")
        }
        let parts = try TokenParts(token: token)
        guard parts.algorithm == algorithm else {
            throw AccessTokenError(.wrongAlgorithm, "The bearer token is signed with \(parts.algorithm.prefix(16)); this server accepts \(algorithm) only.")
        }
        let claims: AccessTokenClaims
        do {
            claims = try await keys.verify(token, as: AccessTokenClaims.self)
        } catch let error as JWTError where error.errorType == .signatureVerificationFailed {
            throw AccessTokenError(.badSignature, "The bearer token's signature does not verify with the configured \(algorithm) key.")
        } catch {
            throw AccessTokenError(.malformed, "The bearer token is not a well-formed JWT.")
        }
        return try claims.validated(now: now, leeway: Self.clockLeeway, maximumLifetime: maximumLifetime, subject: parts.subject)
    }
}

extension AccessTokenVerifier {
    private static let base64URLAlphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    /// Each byte's 6-bit base64url value, or 0xFF outside the alphabet.
    private static let base64URLValues: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, byte) in base64URLAlphabet.enumerated() { table[Int(byte)] = UInt8(value) }
        return table
    }()

    /// Whether `token` is three dot-separated parts, each the one encoding RFC 7515 allows:
    /// unpadded base64url (`A-Z a-z 0-9 - _`), a length that is not 1 more than a multiple of
    /// 4, and zero in the last character's unused low bits. Decoders (jwt-kit's among them)
    /// ignore those bits, so without this check several spellings of one signature verify.
    static func isCanonicalCompactJWS(_ token: String) -> Bool {
        let parts = token.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        return parts.count == 3 && parts.allSatisfy(isCanonicalBase64URL)
    }

    private static func isCanonicalBase64URL(_ part: Substring.UTF8View) -> Bool {
        var last: UInt8 = 0
        for byte in part {
            last = base64URLValues[Int(byte)]
            guard last != 0xFF else { return false }
        }
        switch part.count % 4 {
        case 0: return true
        case 2: return last & 0x0F == 0 // 12 bits carry 8
        case 3: return last & 0x03 == 0 // 18 bits carry 16
        default: return false // 6 bits cannot carry a byte
        }
    }
}

/// A token that passed ``AccessTokenVerifier/verify(_:now:)``.
public struct VerifiedAccessToken: Sendable, Equatable {
    /// `users.id`, from `sub`.
    public let userId: Int64
    /// `jti`, when present: Passport's `oauth_access_tokens.id`.
    public let tokenId: String?
    /// `exp`.
    public let expiresAt: Date
}
