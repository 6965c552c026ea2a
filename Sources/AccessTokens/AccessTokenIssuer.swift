import Foundation
import JWTKit

/// Signs HS256 access tokens the way ``AccessTokenVerifier/hs256(secret:)`` accepts them:
/// `sub` the user id (as Passport writes it, a string of digits) and `exp`. For `callctl demo`
/// and tools that stand in for the app's login; production tokens come from the app.
public struct AccessTokenIssuer: Sendable {
    private let keys: JWTKeyCollection

    private init(keys: JWTKeyCollection) {
        self.keys = keys
    }

    /// An issuer signing with `secret` (at least 32 bytes, as the verifier requires).
    public static func hs256(secret: String) async throws(AccessTokenConfigurationError) -> AccessTokenIssuer {
        AccessTokenIssuer(keys: try await AccessTokenVerifier.hs256Keys(secret: secret))
    }

    /// A token for `userId` that expires at `expiry`.
    public func token(userId: Int64, expiry: Date) async throws -> String {
        try await keys.sign(IssuedClaims(sub: SubjectClaim(value: String(userId)), exp: ExpirationClaim(value: expiry)))
    }
}

private struct IssuedClaims: JWTPayload {
    let sub: SubjectClaim
    let exp: ExpirationClaim

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
    }
}
