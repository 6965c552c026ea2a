import CallDomain
import Postgres

/// What `callctl diagnose call` checks live, beyond the recorded story: for each participant,
/// whether the user still exists, how many of their bearer tokens are still usable (when
/// Passport's table exists), and how many of their sockets are on the appointment's channel
/// or their own user channel on a running daemon right now.
public struct ParticipantLiveState: Sendable, Equatable, Codable {
    public let userId: Int64
    public let exists: Bool
    /// Unrevoked, unexpired `oauth_access_tokens`; nil when Passport is not installed.
    public let usableTokens: Int?
    /// Sockets on `private-appointments.{id}` now whose authorization callctl signed for this user.
    public let appointmentSockets: Int
    /// Sockets on `private-users.{id}` or `private-App.Models.User.{id}` now.
    public let userChannelSockets: Int
}

/// The reads behind ``ParticipantLiveState``.
public enum LiveCallChecks {
    static let users = "SELECT id FROM users WHERE id = ANY($1::bigint[])"

    static let tokens = """
        SELECT t.user_id::bigint AS user_id, count(*) AS usable FROM oauth_access_tokens t
        WHERE t.user_id::bigint = ANY($1::bigint[]) AND NOT t.revoked
          AND coalesce((to_jsonb(t) ->> 'expires_at')::timestamptz > now(), true)
        GROUP BY 1
        """

    static let appointmentSockets = """
        SELECT l.user_id, count(DISTINCT s.socket_id) AS sockets
        FROM hub_subscriptions s JOIN hub_daemons d ON d.id = s.daemon_id
        JOIN appointment_channel_log l ON l.appointment_id = $2 AND l.socket_id = s.socket_id AND l.kind = 'authorized'
        WHERE s.channel = $1 GROUP BY l.user_id
        """

    static let userChannels = """
        SELECT channel, count(*) AS sockets FROM hub_subscriptions s JOIN hub_daemons d ON d.id = s.daemon_id
        WHERE s.channel = ANY($1::text[]) GROUP BY channel
        """

    /// The live state of `userIds` for appointment `appointmentId`.
    public static func read(appointmentId: Int64, userIds: [Int64], on connection: PGConnection) throws -> [ParticipantLiveState] {
        let ids = PGInt64Array(ids: userIds)
        let existing = Set(try connection.query(users, ids).rows.map { try $0.decode(Int64.self, "id") })
        var usable: [Int64: Int]?
        if try PassportTokenQuery.tableExists(on: connection) {
            usable = Dictionary(uniqueKeysWithValues: try connection.query(tokens, ids).rows.map {
                (try $0.decode(Int64.self, "user_id"), try $0.decode(Int.self, "usable"))
            })
        }
        let onAppointment = Dictionary(uniqueKeysWithValues: try connection.query(
            appointmentSockets, ChannelName.appointment(appointmentId).name, appointmentId).rows.map {
            (try $0.decode(Int64.self, "user_id"), try $0.decode(Int.self, "sockets"))
        })
        let names = userIds.flatMap { ["private-users.\($0)", "private-App.Models.User.\($0)"] }
        let onUser = Dictionary(uniqueKeysWithValues: try connection.query(userChannels, PGTextArray(strings: names)).rows.map {
            (try $0.decode(String.self, "channel"), try $0.decode(Int.self, "sockets"))
        })
        return userIds.map { id in
            ParticipantLiveState(userId: id, exists: existing.contains(id), usableTokens: usable.map { $0[id] ?? 0 },
                                 appointmentSockets: onAppointment[id] ?? 0,
                                 userChannelSockets: (onUser["private-users.\(id)"] ?? 0) + (onUser["private-App.Models.User.\(id)"] ?? 0))
        }
    }
}
