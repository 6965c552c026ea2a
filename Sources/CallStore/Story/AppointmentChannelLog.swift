import CallDomain
import Postgres

/// `appointment_channel_log`: who was on an appointment's channel when. `/broadcasting/auth`
/// records the authorizations it signs (socket and user); the hub records subscriptions and
/// departures (by socket) in the same statements that write `hub_subscriptions`.
public enum AppointmentChannelLog {
    /// How long rows are kept: a day, enough for the on-call question about today's consultation.
    public static let keptSeconds = 86_400

    /// The appointment id of a `private-appointments.{id}` channel column, in SQL; NULL for other channels.
    static func appointmentId(of column: String) -> String {
        "CASE WHEN \(column) ~ '^private-appointments\\.[1-9][0-9]{0,17}$' THEN substring(\(column) from 22)::bigint END"
    }

    /// Inserts a log row of `kind` for each returned `(socket_id, channel)` of `source` (a
    /// data-modifying CTE named `changed`) that is an appointment channel.
    static func logging(_ kind: String) -> String {
        """
        INSERT INTO appointment_channel_log (appointment_id, socket_id, kind)
        SELECT \(appointmentId(of: "channel")), socket_id, '\(kind)' FROM changed
        WHERE \(appointmentId(of: "channel")) IS NOT NULL
        """
    }

    /// Records that callctl signed `socket`'s subscription to appointment `appointmentId`'s channel for `userId`.
    public static func authorized(appointmentId: Int64, socket: String, userId: Int64, on connection: PGConnection) throws {
        try connection.query("""
            INSERT INTO appointment_channel_log (appointment_id, socket_id, user_id, kind) VALUES ($1, $2, $3, 'authorized')
            """, appointmentId, socket, userId)
    }

    /// Deletes rows older than ``keptSeconds``.
    public static func prune(on connection: PGConnection) throws {
        try connection.query("DELETE FROM appointment_channel_log WHERE at < now() - make_interval(secs => $1)", keptSeconds)
    }
}
