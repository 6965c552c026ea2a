import Postgres

/// A Laravel Passport `oauth_access_tokens` row, as far as bearer checks need it.
public struct PassportToken: Sendable, Equatable {
    /// `revoked`.
    public let revoked: Bool
    /// `user_id` as text; nil for a client-credentials token.
    public let userId: String?
    /// Whether `expires_at` has passed; nil when the column is missing or null.
    public let expired: Bool?
}

/// Reads Passport's token table, which Laravel owns: only the columns every Passport version
/// has are named; `expires_at` is read through `to_jsonb`, so a table without it still works.
public enum PassportTokenQuery {
    static let lookup = """
        SELECT t.revoked, t.user_id::text AS user_id,
               (to_jsonb(t) ->> 'expires_at')::timestamptz < now() AS expired
        FROM oauth_access_tokens t WHERE t.id = $1
        """

    /// Whether `oauth_access_tokens` exists (Passport is installed).
    public static func tableExists(on connection: PGConnection) throws -> Bool {
        try connection.query("SELECT to_regclass('oauth_access_tokens') IS NOT NULL AS present").first?
            .decode(Bool.self, "present") ?? false
    }

    /// The row whose `id` is `tokenId` (a token's `jti`), or nil.
    public static func token(id tokenId: String, on connection: PGConnection) throws -> PassportToken? {
        try connection.query(lookup, tokenId).first.map { row in
            PassportToken(revoked: try row.decode(Bool.self, "revoked"), userId: try row.decode(String?.self, "user_id"),
                          expired: try row.decode(Bool?.self, "expired"))
        }
    }
}
