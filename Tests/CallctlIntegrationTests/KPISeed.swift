import Foundation
import LocalServices
import Postgres
import Testing

/// Seeded clinics whose KPIs the tests compute by hand, and helpers to run `callctl kpi`.
///
/// Clinic data (all UTC; period [2026-03-01, 2026-03-04) unless a test says otherwise):
///
///     tenants 1 north (doctors 1, 2), 2 south (doctor 3)
///     appointment  tenant doctor scheduled_at       status       started–ended
///     A1           1      1      03-01 09:00        completed    09:00–09:20  (1200 s)
///     A2           1      2      03-01 10:00        completed    10:00–10:30  (1800 s)
///     A3           2      3      03-01 11:00        no_show
///     A4           1      1      03-01 12:00        cancelled
///     A5           2      3      03-02 09:00        completed    09:00–09:10  (600 s)
///     A6           1      2      03-02 10:00        no_show
///     A7           1      1      03-02 14:00        rescheduled
///     A8           1      1      02-28 09:00        completed    (1000 s; before the period)
///     A9           1      1      03-04 00:00        no_show      (at `to`: excluded)
///
///     session  appointment requested_at   accepted  connected (ttc)   end_reason
///     S1       A1          03-01 08:59:00 +2 s      +800 ms           hangup
///     S2       A1          03-01 08:58:00 —         —                 timeout_no_answer
///     S3       A2          03-01 09:59:00 +5 s      +1300 ms          heartbeat_lost
///     S4       A3          03-01 10:59:00 —         —                 timeout_no_answer
///     S5       A5          03-02 08:59:00 +3 s      +3000 ms          hangup
///     S6       A5          03-02 08:57:00 +2 s      —                 connect_timeout
///     S7       A6          03-02 09:59:00 —         —                 declined
///     S8       A8          02-28 08:59:00 +1 s      +500 ms           hangup  (before the period)
///     S9       A9          03-04 00:00:00 —         —                 timeout_no_answer (at `to`: excluded)
///     S10      A8          03-01 00:30:00 —         —                 timeout_no_answer (in the period; its appointment is not)
///
///     audit events: busy A1 03-01 09:01, busy A5 03-02 09:05, busy A3 03-02 10:00 (a day after
///     its appointment), request A1 03-01 08:59 (not busy), busy A8 02-28 09:00 and busy A9
///     03-04 00:00 (both outside the period).
///
///     browser reports (by their time): ice S1 host (patient) and relay (doctor), S3 host, S5
///     relay; quality S1 rtt 120 ms loss 1 % (fine), S5 rtt 450 ms loss 0 % (poor); error
///     NotAllowedError on S2 (03-01), NotReadableError on S6 (03-02), peer-unavailable on S7 (not a
///     camera or microphone), and a system error row named NotAllowedError (no user: not counted).
///
///     recording  appointment (doctor, tenant)  received_at      purged_at
///     R1         A1 (1, 1)                     03-01 09:25      —
///     R2         A5 (3, 2)                     03-02 09:15      03-03 04:00
///     R3         A8 (1, 1)                     02-28 09:20      03-01 03:00   (received before the period)
///     R4         A2 (2, 1)                     03-01 10:35      03-04 00:00   (purged at `to`: excluded)
///     R5         A9 (1, 1)                     03-04 00:10      —             (after the period)
enum KPISeed {
    static let clinic = people + """
        INSERT INTO appointments (id, tenant_id, doctor_id, patient_id, scheduled_at, status, started_at, ended_at) VALUES
            (1, 1, 1, 1, '2026-03-01 09:00Z', 'completed', '2026-03-01 09:00Z', '2026-03-01 09:20Z'),
            (2, 1, 2, 1, '2026-03-01 10:00Z', 'completed', '2026-03-01 10:00Z', '2026-03-01 10:30Z'),
            (3, 2, 3, 2, '2026-03-01 11:00Z', 'no_show', NULL, NULL),
            (4, 1, 1, 1, '2026-03-01 12:00Z', 'cancelled', NULL, NULL),
            (5, 2, 3, 2, '2026-03-02 09:00Z', 'completed', '2026-03-02 09:00Z', '2026-03-02 09:10Z'),
            (6, 1, 2, 1, '2026-03-02 10:00Z', 'no_show', NULL, NULL),
            (7, 1, 1, 1, '2026-03-02 14:00Z', 'rescheduled', NULL, NULL),
            (8, 1, 1, 1, '2026-02-28 09:00Z', 'completed', '2026-02-28 09:00Z', '2026-02-28 09:16:40Z'),
            (9, 1, 1, 1, '2026-03-04 00:00Z', 'no_show', NULL, NULL);
        INSERT INTO call_sessions (id, appointment_id, state, end_reason, caller_user_id, callee_user_id,
                                   requested_at, accepted_at, connected_at, ended_at) VALUES
            ('00000000-0000-0000-0000-000000000001', 1, 'ended', 'hangup', 4, 1,
             '2026-03-01 08:59:00Z', '2026-03-01 08:59:02Z', '2026-03-01 08:59:02.8Z', '2026-03-01 09:20Z'),
            ('00000000-0000-0000-0000-000000000002', 1, 'ended', 'timeout_no_answer', 4, 1,
             '2026-03-01 08:58:00Z', NULL, NULL, '2026-03-01 08:58:30Z'),
            ('00000000-0000-0000-0000-000000000003', 2, 'ended', 'heartbeat_lost', 4, 2,
             '2026-03-01 09:59:00Z', '2026-03-01 09:59:05Z', '2026-03-01 09:59:06.3Z', '2026-03-01 10:30Z'),
            ('00000000-0000-0000-0000-000000000004', 3, 'ended', 'timeout_no_answer', 3, 5,
             '2026-03-01 10:59:00Z', NULL, NULL, '2026-03-01 10:59:30Z'),
            ('00000000-0000-0000-0000-000000000005', 5, 'ended', 'hangup', 5, 3,
             '2026-03-02 08:59:00Z', '2026-03-02 08:59:03Z', '2026-03-02 08:59:06Z', '2026-03-02 09:10Z'),
            ('00000000-0000-0000-0000-000000000006', 5, 'ended', 'connect_timeout', 5, 3,
             '2026-03-02 08:57:00Z', '2026-03-02 08:57:02Z', NULL, '2026-03-02 08:58:02Z'),
            ('00000000-0000-0000-0000-000000000007', 6, 'ended', 'declined', 4, 2,
             '2026-03-02 09:59:00Z', NULL, NULL, '2026-03-02 09:59:10Z'),
            ('00000000-0000-0000-0000-000000000008', 8, 'ended', 'hangup', 4, 1,
             '2026-02-28 08:59:00Z', '2026-02-28 08:59:01Z', '2026-02-28 08:59:01.5Z', '2026-02-28 09:16:40Z'),
            ('00000000-0000-0000-0000-000000000009', 9, 'ended', 'timeout_no_answer', 4, 1,
             '2026-03-04 00:00:00Z', NULL, NULL, '2026-03-04 00:00:30Z'),
            ('00000000-0000-0000-0000-000000000010', 8, 'ended', 'timeout_no_answer', 4, 1,
             '2026-03-01 00:30:00Z', NULL, NULL, '2026-03-01 00:30:30Z');
        INSERT INTO appointment_call_events (appointment_id, type, user_id, at) VALUES
            (1, 'busy', 4, '2026-03-01 09:01Z'), (5, 'busy', 5, '2026-03-02 09:05Z'), (3, 'busy', 5, '2026-03-02 10:00Z'),
            (1, 'request', 4, '2026-03-01 08:59Z'), (8, 'busy', 4, '2026-02-28 09:00Z'), (9, 'busy', 4, '2026-03-04 00:00Z');
        INSERT INTO appointment_call_events (appointment_id, call_id, type, user_id, at, payload) VALUES
            (1, '00000000-0000-0000-0000-000000000001', 'ice', 4, '2026-03-01 08:59:10Z', '{"candidateType": "host"}'),
            (1, '00000000-0000-0000-0000-000000000001', 'ice', 1, '2026-03-01 08:59:11Z', '{"candidateType": "relay"}'),
            (2, '00000000-0000-0000-0000-000000000003', 'ice', 4, '2026-03-01 09:59:10Z', '{"candidateType": "host"}'),
            (5, '00000000-0000-0000-0000-000000000005', 'ice', 5, '2026-03-02 08:59:10Z', '{"candidateType": "relay"}'),
            (1, '00000000-0000-0000-0000-000000000001', 'quality', 4, '2026-03-01 09:19Z',
             '{"rttMs": 120, "packetLossPercent": 1, "jitterMs": 5}'),
            (5, '00000000-0000-0000-0000-000000000005', 'quality', 5, '2026-03-02 09:09Z',
             '{"rttMs": 450, "packetLossPercent": 0, "jitterMs": 9}'),
            (1, '00000000-0000-0000-0000-000000000002', 'error', 4, '2026-03-01 08:58:10Z', '{"name": "NotAllowedError"}'),
            (5, '00000000-0000-0000-0000-000000000006', 'error', 5, '2026-03-02 08:57:30Z', '{"name": "NotReadableError"}'),
            (6, '00000000-0000-0000-0000-000000000007', 'error', 4, '2026-03-02 09:59:05Z', '{"name": "peer-unavailable"}'),
            (6, '00000000-0000-0000-0000-000000000007', 'error', NULL, '2026-03-02 09:59:06Z', '{"name": "NotAllowedError"}');
        INSERT INTO recordings (id, appointment_id, call_id, storage_key, size_bytes, duration_seconds, body_sha256, received_at, purged_at)
        VALUES
            ('R1', 1, '00000000-0000-0000-0000-000000000001', 'k/R1', 1000, 1200, 'h1', '2026-03-01 09:25Z', NULL),
            ('R2', 5, '00000000-0000-0000-0000-000000000005', NULL, 1000, 600, 'h2', '2026-03-02 09:15Z', '2026-03-03 04:00Z'),
            ('R3', 8, '00000000-0000-0000-0000-000000000008', NULL, 1000, 1000, 'h3', '2026-02-28 09:20Z', '2026-03-01 03:00Z'),
            ('R4', 2, '00000000-0000-0000-0000-000000000003', NULL, 1000, 1800, 'h4', '2026-03-01 10:35Z', '2026-03-04 00:00Z'),
            ('R5', 9, '00000000-0000-0000-0000-000000000009', 'k/R5', 1000, 30, 'h5', '2026-03-04 00:10Z', NULL);
        """

    /// Tenants, users, doctors and patients the appointments refer to.
    static let people = """
        INSERT INTO tenants (id, slug, name) VALUES (1, 'north', 'North Clinic'), (2, 'south', 'South Clinic');
        INSERT INTO users (id, tenant_id, name, email, role) VALUES
            (1, 1, 'Dr A', 'a@north.test', 'doctor'), (2, 1, 'Dr B', 'b@north.test', 'doctor'),
            (3, 2, 'Dr C', 'c@south.test', 'doctor'), (4, 1, 'Pat P', 'p@north.test', 'patient'),
            (5, 2, 'Pat Q', 'q@south.test', 'patient');
        INSERT INTO doctors (id, user_id) VALUES (1, 1), (2, 2), (3, 3);
        INSERT INTO patients (id, user_id) VALUES (1, 4), (2, 5);

        """

    /// A migrated database holding `script`; returns its connection string.
    static func database(_ script: String, _ label: String = #function) throws -> String {
        let database = try TestDatabase(label)
        try database.migrated().execute(script)
        return database.connectionString
    }

    /// Runs `callctl kpi` with `arguments` on `url`; expects exit 0.
    static func run(_ url: String, _ arguments: [String]) async -> CommandRunner.Outcome {
        let outcome = await InProcess.run(["kpi"] + arguments + ["--database-url", url, "--log-format", "json"])
        #expect(outcome.status == 0, "\(outcome.output)")
        return outcome
    }

    /// Runs `callctl kpi --format json` and parses the object.
    static func json(_ url: String, _ arguments: [String]) async throws -> [String: Any] {
        try await run(url, arguments + ["--format", "json"]).json()
    }
}
