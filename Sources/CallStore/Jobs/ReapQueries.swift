/// The SQL of `jobs reap`. The session pre-filter is the one ``CallDomain/ReaperRule``
/// documents, with `$1`, `$2`, `$3` its cutoffs for ringing, accepted and in_call and `$7` the
/// maximum call length's; the zombie
/// pre-filter is ``CallDomain/ZombieAppointmentRule``'s, with `$1` its cutoff.
enum ReapQueries {
    /// Before the first session.
    static let sessionStart = ScanKey<String>(at: "-infinity", id: "00000000-0000-0000-0000-000000000000")

    private static let overdueSessions = """
        SELECT \(SessionColumns.select), a.status AS appointment_status
        FROM call_sessions s
        JOIN appointments a ON a.id = s.appointment_id
        WHERE s.state <> 'ended'
          AND ((s.state = 'ringing' AND s.requested_at < $1)
            OR (s.state = 'accepted' AND coalesce(s.accepted_at, s.requested_at) < $2)
            OR (s.state = 'in_call' AND coalesce(s.last_heartbeat_at, s.connected_at, s.accepted_at, s.requested_at) < $3)
            OR (s.state = 'in_call' AND coalesce(s.connected_at, s.accepted_at, s.requested_at) < $7))
          AND (s.requested_at, s.id) > ($4::timestamptz, $5::uuid)
        ORDER BY s.requested_at, s.id
        LIMIT $6
        """

    /// Claims overdue sessions together with their appointments (appointment and session are
    /// locked as a pair, skipping either when another writer holds it, so the reaper never
    /// waits and never deadlocks with the no-show job or the daemon).
    static let claimSessions = overdueSessions + "\nFOR UPDATE OF s, a SKIP LOCKED"

    /// Reads overdue sessions (dry run).
    static let peekSessions = overdueSessions

    private static let zombies = """
        SELECT \(AppointmentColumns.select)
        FROM appointments a
        \(AppointmentColumns.joins)
        WHERE a.status = 'in_progress'
          AND NOT EXISTS (SELECT 1 FROM call_sessions s WHERE s.appointment_id = a.id AND s.state <> 'ended')
          AND coalesce((SELECT max(s.ended_at) FROM call_sessions s WHERE s.appointment_id = a.id),
                       a.started_at, a.scheduled_at) < $1
          AND a.id > $2
        ORDER BY a.id
        LIMIT $3
        """

    /// Claims zombie appointments.
    static let claimZombies = zombies + "\nFOR UPDATE OF a SKIP LOCKED"

    /// Reads zombie appointments (dry run).
    static let peekZombies = zombies

    /// The session facts of the zombie rule, read after the claim in a fresh snapshot: a call
    /// requested while the claim ran (its writer held the appointment lock) is seen here.
    static let sessionActivity = """
        SELECT appointment_id, bool_or(state <> 'ended') AS has_open_session, max(ended_at) AS last_ended_at
        FROM call_sessions
        WHERE appointment_id = ANY($1::bigint[])
        GROUP BY appointment_id
        """
}
