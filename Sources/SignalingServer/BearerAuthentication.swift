import AccessTokens
import Foundation
import Hummingbird
import Postgres

/// Requires `Authorization: Bearer <JWT>` on the routes below it and puts the user id in the
/// context. A missing, malformed, expired, wrongly signed or revoked token is a 401
/// `unauthenticated` with the check that failed named; the token itself is never logged.
struct BearerAuthentication: RouterMiddleware {
    typealias Context = CallRequestContext

    let verifier: AccessTokenVerifier
    let revocation: TokenRevocation
    let now: @Sendable () -> Date

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            throw APIError(AccessTokenError(.malformed, "Send Authorization: Bearer <token>; this route needs a signed-in user."))
        }
        let scheme = "bearer "
        guard header.count > scheme.count, header.prefix(scheme.count).lowercased() == scheme else {
            throw APIError(AccessTokenError(.malformed, "The Authorization header must use the Bearer scheme."))
        }
        let token = try await verifier.verify(String(header.dropFirst(scheme.count)).trimmingCharacters(in: .whitespaces), now: now())
        if let tokenId = token.tokenId {
            try await revocation.check(tokenId: tokenId, userId: token.userId)
        }
        var context = context
        context.userId = token.userId
        context.logger[metadataKey: "userId"] = "\(token.userId)"
        return try await next(request, context)
    }
}

/// Passport revocation: when the database has an `oauth_access_tokens` table, a token whose
/// `jti` is not there, is marked `revoked`, or belongs to another user is refused. Whether the
/// table exists is looked up again every minute, so installing Passport needs no restart.
actor TokenRevocation {
    private let pool: PGPool
    private let now: @Sendable () -> Date
    private var tablePresent: (value: Bool, checkedAt: Date)?

    init(pool: PGPool, now: @escaping @Sendable () -> Date) {
        self.pool = pool
        self.now = now
    }

    /// Throws ``AccessTokenError`` (`revoked`) when Passport does not vouch for the token.
    func check(tokenId: String, userId: Int64) async throws {
        guard try await hasTable() else { return }
        let row = try await pool.withConnection { connection in
            try connection.query("SELECT revoked, user_id::text AS user_id FROM oauth_access_tokens WHERE id = $1", tokenId).first
                .map { (try $0.decode(Bool.self, "revoked"), try $0.decode(String?.self, "user_id")) }
        }
        guard let (revoked, owner) = row, !revoked, owner == nil || owner == String(userId) else {
            throw AccessTokenError(.revoked, "The bearer token was revoked or is unknown to Laravel Passport; sign in again.")
        }
    }

    private func hasTable() async throws -> Bool {
        if let tablePresent, now().timeIntervalSince(tablePresent.checkedAt) < 60 { return tablePresent.value }
        let present = try await pool.withConnection { connection in
            try connection.query("SELECT to_regclass('oauth_access_tokens') IS NOT NULL AS present").first?.decode(Bool.self, "present") ?? false
        }
        tablePresent = (present, now())
        return present
    }
}
