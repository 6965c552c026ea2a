import Foundation
import JWTKit

/// The registered claims callctl reads. `sub` may be a string (Passport) or a number; the
/// numeric dates may be fractional (Passport writes microseconds). Validation happens in
/// ``validated(now:leeway:)`` with an injected clock, not in JWTKit's `verify`.
struct AccessTokenClaims: JWTPayload {
    let subject: String?
    let expiresAt: Double?
    let notBefore: Double?
    let tokenId: String?

    private enum CodingKeys: String, CodingKey { case sub, exp, nbf, jti }

    init(subject: String?, expiresAt: Double?, notBefore: Double? = nil, tokenId: String? = nil) {
        self.subject = subject
        self.expiresAt = expiresAt
        self.notBefore = notBefore
        self.tokenId = tokenId
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let text = try? container.decodeIfPresent(String.self, forKey: .sub) {
            subject = text
        } else {
            subject = try container.decodeIfPresent(Int64.self, forKey: .sub).map(String.init)
        }
        expiresAt = try container.decodeIfPresent(Double.self, forKey: .exp)
        notBefore = try container.decodeIfPresent(Double.self, forKey: .nbf)
        tokenId = try container.decodeIfPresent(String.self, forKey: .jti)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(subject, forKey: .sub)
        try container.encodeIfPresent(expiresAt, forKey: .exp)
        try container.encodeIfPresent(notBefore, forKey: .nbf)
        try container.encodeIfPresent(tokenId, forKey: .jti)
    }

    func verify(using algorithm: some JWTAlgorithm) async throws {}

    /// The token's facts, or the claim that makes it unacceptable at `now`.
    func validated(now: Date, leeway: TimeInterval) throws(AccessTokenError) -> VerifiedAccessToken {
        guard let expiresAt, expiresAt.isFinite else {
            throw AccessTokenError(.missingExpiry, "The bearer token has no exp claim; tokens must expire.")
        }
        let expiry = Date(timeIntervalSince1970: expiresAt)
        guard expiry.addingTimeInterval(leeway) > now else {
            throw AccessTokenError(.expired, "The bearer token expired at \(Self.format(expiry)); sign in again.")
        }
        if let notBefore, notBefore.isFinite, Date(timeIntervalSince1970: notBefore).addingTimeInterval(-leeway) > now {
            throw AccessTokenError(.notYetValid, "The bearer token is not valid before \(Self.format(Date(timeIntervalSince1970: notBefore))); check the clocks.")
        }
        guard let subject, let userId = Int64(subject), userId > 0 else {
            throw AccessTokenError(.badSubject, "The bearer token's sub claim is not a user id.")
        }
        if let tokenId, tokenId.utf8.count > 255 {
            throw AccessTokenError(.malformed, "The bearer token's jti claim is longer than 255 bytes.")
        }
        return VerifiedAccessToken(userId: userId, tokenId: tokenId, expiresAt: expiry)
    }

    private static func format(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}

/// The JOSE header's `alg`, read before the signature so a token for another algorithm gets
/// a clear refusal.
struct TokenHeader {
    let algorithm: String

    init(token: String) throws(AccessTokenError) {
        let malformed = AccessTokenError(.malformed, "The bearer token is not a well-formed JWT.")
        guard let encoded = token.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false).first,
              token.utf8.filter({ $0 == UInt8(ascii: ".") }).count == 2
        else { throw malformed }
        var base64 = encoded.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let algorithm = object["alg"] as? String
        else { throw malformed }
        self.algorithm = algorithm
    }
}
