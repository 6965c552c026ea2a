import Foundation
import JWTKit

/// The registered claims callctl reads from the decoded payload: the numeric dates may be
/// fractional (Passport writes microseconds). `sub` is not decoded here: its raw JSON text is
/// read by ``TokenParts`` so that `2.0` or `"02"` are not taken for user 2. Validation happens
/// in ``validated(now:leeway:maximumLifetime:subject:)`` with an injected clock, not in
/// JWTKit's `verify`.
struct AccessTokenClaims: JWTPayload {
    let expiresAt: Double?
    let notBefore: Double?
    let tokenId: String?

    private enum CodingKeys: String, CodingKey { case exp, nbf, jti }

    init(expiresAt: Double?, notBefore: Double? = nil, tokenId: String? = nil) {
        self.expiresAt = expiresAt
        self.notBefore = notBefore
        self.tokenId = tokenId
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        expiresAt = try container.decodeIfPresent(Double.self, forKey: .exp)
        notBefore = try container.decodeIfPresent(Double.self, forKey: .nbf)
        tokenId = try container.decodeIfPresent(String.self, forKey: .jti)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(expiresAt, forKey: .exp)
        try container.encodeIfPresent(notBefore, forKey: .nbf)
        try container.encodeIfPresent(tokenId, forKey: .jti)
    }

    func verify(using algorithm: some JWTAlgorithm) async throws {}

    /// The token's facts, or the claim that makes it unacceptable at `now`. `subject` is the
    /// `sub` as ``TokenParts`` read it: a string's value, or a number's JSON text.
    func validated(now: Date, leeway: TimeInterval, maximumLifetime: TimeInterval,
                   subject: String?) throws(AccessTokenError) -> VerifiedAccessToken {
        guard let expiresAt, expiresAt.isFinite else {
            throw AccessTokenError(.missingExpiry, "The bearer token has no exp claim; tokens must expire.")
        }
        guard expiresAt - now.timeIntervalSince1970 <= maximumLifetime + leeway else {
            throw AccessTokenError(.lifetimeTooLong, "The bearer token expires more than \(Self.days(maximumLifetime)) "
                                   + "from now, longer than this server accepts; issue tokens with a shorter lifetime.")
        }
        let expiry = Date(timeIntervalSince1970: expiresAt)
        guard expiry.addingTimeInterval(leeway) > now else {
            throw AccessTokenError(.expired, "The bearer token expired at \(Self.format(expiry)); sign in again.")
        }
        if let notBefore, notBefore.isFinite, Date(timeIntervalSince1970: notBefore).addingTimeInterval(-leeway) > now {
            throw AccessTokenError(.notYetValid, "The bearer token is not valid before \(Self.format(Date(timeIntervalSince1970: notBefore))); check the clocks.")
        }
        guard let subject, let userId = Self.canonicalUserId(subject) else {
            throw AccessTokenError(.badSubject, "The bearer token's sub claim is not a user id: it must be digits "
                                   + "without sign or leading zero, from 1 to \(Int64.max).")
        }
        if let tokenId, tokenId.utf8.count > 255 {
            throw AccessTokenError(.malformed, "The bearer token's jti claim is longer than 255 bytes.")
        }
        return VerifiedAccessToken(userId: userId, tokenId: tokenId, expiresAt: expiry)
    }

    private static func format(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    /// `366 days`, `36 hours` or `90 seconds`: a lifetime for the refusal's sentence.
    private static func days(_ interval: TimeInterval) -> String {
        for (unit, seconds) in [("day", 86_400.0), ("hour", 3600.0)] where interval >= seconds && interval.remainder(dividingBy: seconds) == 0 {
            let count = Int(interval / seconds)
            return "\(count) \(unit)\(count == 1 ? "" : "s")"
        }
        return "\(Int(interval.rounded(.up))) seconds"
    }

    /// The user id `text` spells the one canonical way, `[1-9][0-9]*` up to `Int64.max`: not
    /// `02`, `+2`, `2.0`, `2e0` or ` 2`, which would otherwise all name user 2.
    static func canonicalUserId(_ text: String) -> Int64? {
        guard let first = text.utf8.first, first != UInt8(ascii: "0"),
              text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
        return Int64(text)
    }
}

