import CallDomain
import Postgres

/// What `/broadcasting/auth` needs to know about the signed-in user, read in one round trip:
/// the user's tenant, role and name and, for an appointment channel, whether the user is that
/// appointment's doctor or patient.
public struct ChannelAuthSubject: Sendable, Equatable {
    /// The user as ``ChannelRuleSet`` sees it.
    public let user: ChannelUser
    /// `users.name`, shown to the other members of a presence channel.
    public let name: String
    /// True when the user is the doctor or the patient of the appointment asked about; false
    /// when no appointment was asked about or it does not exist.
    public let isParticipant: Bool

    /// Creates a subject.
    public init(user: ChannelUser, name: String, isParticipant: Bool) {
        self.user = user
        self.name = name
        self.isParticipant = isParticipant
    }
}

/// The read behind `/broadcasting/auth`: one parameterized statement.
public enum ChannelAuthQuery {
    /// The user row, and whether it belongs to the doctor or the patient of appointment `$2`
    /// (a NULL `$2` answers false).
    static let sql = """
        SELECT u.tenant_id, u.name, u.role,
               EXISTS (SELECT 1 FROM appointments a
                       LEFT JOIN doctors d ON d.id = a.doctor_id
                       LEFT JOIN patients p ON p.id = a.patient_id
                       WHERE a.id = $2::bigint AND (d.user_id = u.id OR p.user_id = u.id)) AS participant
        FROM users u
        WHERE u.id = $1::bigint
        """

    /// Reads user `userId` and, when `appointmentId` is given (the appointment of a
    /// `participant` rule's channel), whether the user takes part in it. A role other than
    /// doctor, patient or admin reads as none.
    /// - Returns: nil when there is no such user (a token for a deleted user).
    public static func read(userId: Int64, appointmentId: Int64?, on connection: PGConnection) throws -> ChannelAuthSubject? {
        guard let row = try connection.query(sql, userId, appointmentId).first else { return nil }
        return ChannelAuthSubject(
            user: ChannelUser(id: userId, tenantId: try row.decode(Int64.self, "tenant_id"),
                              role: try row.decode(String?.self, "role").flatMap(UserRole.init(rawValue:))),
            name: try row.decode(String.self, "name"),
            isParticipant: try row.decode(Bool.self, "participant"))
    }
}
