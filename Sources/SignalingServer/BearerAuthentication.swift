import AccessTokens
import CallStore
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
        try await revocation.check(tokenId: token.tokenId, userId: token.userId)
        var context = context
        context.userId = token.userId
        context.logger[metadataKey: "userId"] = "\(token.userId)"
        return try await next(request, context)
    }
}

/// Passport's word on a token: while the database has an `oauth_access_tokens` table, a
/// token is accepted only when its `jti` names a row that is not revoked, has not expired
/// (when the table has `expires_at`) and belongs to the token's `sub`. A token without a
/// `jti`, or one of a client-credentials grant (`user_id IS NULL`, whose `sub` is a client
/// id, not a user), is refused. Whether the table exists is looked up again every minute, so
/// installing Passport needs no restart.
actor TokenRevocation {
    private let pool: PGPool
    private let now: @Sendable () -> Date
    private var tablePresent: (value: Bool, checkedAt: Date)?

    init(pool: PGPool, now: @escaping @Sendable () -> Date) {
        self.pool = pool
        self.now = now
    }

    /// Throws ``AccessTokenError`` (`revoked`) when Passport does not vouch for the token.
    func check(tokenId: String?, userId: Int64) async throws {
        guard try await hasTable() else { return }
        guard let tokenId else {
            throw AccessTokenError(.revoked, "The bearer token has no jti claim, so Laravel Passport cannot vouch for it "
                                   + "(oauth_access_tokens exists); use a token Passport issued to the user.")
        }
        let row = try await pool.withConnection { try PassportTokenQuery.token(id: tokenId, on: $0) }
        guard let row else {
            throw AccessTokenError(.revoked, "The bearer token is unknown to Laravel Passport (no oauth_access_tokens row for its jti); sign in again.")
        }
        guard !row.revoked else {
            throw AccessTokenError(.revoked, "The bearer token was revoked in Laravel Passport; sign in again.")
        }
        guard row.expired != true else {
            throw AccessTokenError(.revoked, "The bearer token expired in Laravel Passport (oauth_access_tokens.expires_at); sign in again.")
        }
        guard let owner = row.userId else {
            throw AccessTokenError(.revoked, "The bearer token is a client-credentials token (no user in oauth_access_tokens); "
                                   + "these routes need a token issued to a user.")
        }
        guard owner == String(userId) else {
            throw AccessTokenError(.revoked, "The bearer token's sub does not match the user Laravel Passport issued it to; sign in again.")
        }
    }

    private func hasTable() async throws -> Bool {
        if let tablePresent, now().timeIntervalSince(tablePresent.checkedAt) < 60 { return tablePresent.value }
        let present = try await pool.withConnection(PassportTokenQuery.tableExists)
        tablePresent = (present, now())
        return present
    }
}
