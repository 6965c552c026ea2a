import Foundation

/// What the verifier reads from a compact JWS before the signature: the header's `alg`, and
/// the payload's `sub` as raw JSON. Both parts must be JSON objects that name each member once,
/// and the header may not carry `crit`: callctl understands no JWS extension, so RFC 7515
/// §4.1.11 requires refusing any token that marks one critical.
struct TokenParts {
    /// The header's `alg`.
    let algorithm: String
    /// `sub` as a user id may be spelled: a JSON string's value, or a JSON number's text
    /// (`42`, or `2.0`, which ``AccessTokenClaims`` then refuses); nil when absent or of another type.
    let subject: String?

    /// The parts of `token`, which passed ``AccessTokenVerifier/isCanonicalCompactJWS(_:)``.
    init(token: String) throws(AccessTokenError) {
        let parts = token.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw Self.malformed }
        let header = try Self.members(of: parts[0], "header")
        let payload = try Self.members(of: parts[1], "payload")
        if header.value("crit") != nil {
            throw AccessTokenError(.malformed, "The bearer token's header marks an extension critical (crit); this server "
                                   + "understands none (RFC 7515 §4.1.11), so issue tokens without crit.")
        }
        guard let alg = header.value("alg"), let algorithm = JSONObjectMembers.string(alg) else { throw Self.malformed }
        self.algorithm = algorithm
        switch payload.value("sub") {
        case let value? where value.first == UInt8(ascii: "\""):
            subject = JSONObjectMembers.string(value)
        case let value? where value.first.map({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "-") }) == true:
            subject = String(decoding: value, as: UTF8.self)
        default:
            subject = nil
        }
    }

    private static let malformed = AccessTokenError(.malformed, "The bearer token is not a well-formed JWT.")

    /// The members of one base64url part holding a JSON object, each named once.
    private static func members(of part: Substring, _ label: String) throws(AccessTokenError) -> JSONObjectMembers {
        var base64 = part.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let members = JSONObjectMembers(Array(data)) else { throw malformed }
        if let name = members.duplicateName {
            throw AccessTokenError(.malformed, "The bearer token's \(label) names the member \"\(name.prefix(32))\" more than "
                                   + "once, which JSON decoders read differently; issue tokens with each member once.")
        }
        return members
    }
}
