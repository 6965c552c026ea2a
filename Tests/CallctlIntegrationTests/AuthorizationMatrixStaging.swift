import Foundation
import Testing

/// Who the authorization matrix's requests come from (``People``: the tokens of each column)
/// and the appointments it stages through the API, each in the state where its right user gets 200.
extension AuthorizationMatrixTests {
    /// The people of the matrix: the clinic's doctor and patient, a colleague (same tenant, in no
    /// appointment of the matrix), a stranger (another tenant) and a deleted user (same tenant,
    /// whose `users` row is gone but whose Passport token is still live). Every valid token
    /// carries a Passport `jti` that is live in `oauth_access_tokens`; the revoked column's `jti`
    /// is marked revoked.
    struct People {
        let s: RouterWorld
        let tenant: Int64
        let colleague: Int64
        let stranger: Int64
        let deleted: Int64

        init(_ s: RouterWorld) throws {
            self.s = s
            tenant = try s.world.connection.query("SELECT tenant_id FROM users WHERE id = $1", s.doctor).first!.decode(Int64.self, "tenant_id")
            colleague = try s.person("patient").userId
            let other = try s.world.connection.query("INSERT INTO tenants (slug, name) VALUES ('elsewhere', 'Elsewhere') RETURNING id")
                .first!.decode(Int64.self, "id")
            stranger = try s.world.connection.query("""
                INSERT INTO users (tenant_id, name, email, role) VALUES ($1, 'stranger', 'stranger@example.test', 'doctor') RETURNING id
                """, other).first!.decode(Int64.self, "id")
            deleted = try s.person("patient").userId
            try s.world.connection.query("DELETE FROM patients WHERE user_id = $1", deleted)
            try s.world.connection.query("DELETE FROM users WHERE id = $1", deleted)
        }

        /// `live-{user}` or `revoked-{user}`, inserted into `oauth_access_tokens` for `user` on first use.
        func jti(_ user: Int64, revoked: Bool = false) throws -> String {
            try AuthorizationMatrixTests.liveJTI(s, user, revoked: revoked)
        }

        /// `client-{user}`: a client-credentials grant's row (no user), whose token's `sub` is `user`.
        func clientJTI(_ user: Int64) throws -> String {
            let id = "client-\(user)"
            try s.world.connection.query("INSERT INTO oauth_access_tokens VALUES ($1, NULL, false) ON CONFLICT DO NOTHING", id)
            return id
        }

        /// The token of column `credential` for a row whose right user is `user`.
        func token(_ credential: Credential, for user: Int64) throws -> String? {
            switch credential {
            case .noToken: nil
            case .expired: try ServeToken.hs256(ServeToken.claims(user: user, expiresIn: -60, jti: try jti(user)))
            case .revoked: try ServeToken.hs256(user: user, jti: try jti(user, revoked: true))
            case .wrongSignature:
                try ServeToken.hs256(ServeToken.claims(user: user, jti: try jti(user)), secret: "not-the-daemon-secret-but-32-bytes")
            case .clientToken: try ServeToken.hs256(user: user, jti: try clientJTI(user))
            case .noJTI: try ServeToken.hs256(user: user)
            case .deletedUser: try ServeToken.hs256(user: deleted, jti: try jti(deleted))
            case .otherUser: try ServeToken.hs256(user: colleague, jti: try jti(colleague))
            case .otherTenant: try ServeToken.hs256(user: stranger, jti: try jti(stranger))
            case .rightUser: try ServeToken.hs256(user: user, jti: try jti(user))
            }
        }
    }

    /// `live-{user}` or `revoked-{user}`, inserted into `oauth_access_tokens` for `user` on first use.
    static func liveJTI(_ s: RouterWorld, _ user: Int64, revoked: Bool = false) throws -> String {
        let id = "\(revoked ? "revoked" : "live")-\(user)"
        try s.world.connection.query("INSERT INTO oauth_access_tokens VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", id, user, revoked)
        return id
    }

    /// A fresh doctor and patient (so no other open call makes anything `busy`) with an
    /// appointment scheduled now, brought to `state` through the API: no call, ringing (the
    /// doctor called), accepted, in_call.
    static func staged(_ s: RouterWorld, _ state: String) async throws -> (Int64, doctor: Int64, patient: Int64, callId: String?) {
        let doctor = try s.person("doctor"), patient = try s.person("patient")
        let appointment = try s.appointment(doctor: doctor.id, patient: patient.id)
        guard state != "no call" else { return (appointment, doctor.userId, patient.userId, nil) }
        func step(_ action: String, _ user: Int64, _ callId: String?) async throws -> [String: Any] {
            let answer = try await post(s, action, appointment, token: try ServeToken.hs256(user: user, jti: try liveJTI(s, user)), callId: callId)
            try #require(answer.status == 200, "staging \(state): \(action) \(answer.text)")
            return answer.json
        }
        let callId = try #require(try await step("request", doctor.userId, nil)["callId"] as? String)
        if state != "ringing" { _ = try await step("accept", patient.userId, callId) }
        if state == "in_call" { _ = try await step("started", doctor.userId, callId) }
        return (appointment, doctor.userId, patient.userId, callId)
    }

    /// `POST …/call/recording/{command}` as `user` (staging), consent granted.
    static func recording(_ s: RouterWorld, _ command: String, _ appointment: Int64, user: Int64, callId: String?) async throws -> ServeResponse {
        try await s.server.request("POST", "/appointments/\(appointment)/call/recording/\(command)",
                                   token: try ServeToken.hs256(user: user, jti: try liveJTI(s, user)), json: ["callId": callId ?? "", "granted": true])
    }

    static func post(_ s: RouterWorld, _ action: String, _ appointment: Int64, token: String?, callId: String?) async throws -> ServeResponse {
        try await s.server.request("POST", "/appointments/\(appointment)/call/\(action)", token: token,
                             json: callId.map { ["callId": $0, "peerId": "matrix-peer"] } ?? ["peerId": "matrix-peer"])
    }
}
