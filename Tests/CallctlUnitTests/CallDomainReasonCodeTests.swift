import CallDomain
import Testing

@Suite("Reason codes")
struct CallDomainReasonCodeTests {
    @Test("reason codes and HTTP statuses")
    func reasonCodes() {
        let expected: [(String, Int)] = [
            ("unauthenticated", 401), ("not_participant", 403), ("too_early", 403), ("too_late", 403),
            ("invalid_status", 403), ("doctor_inactive", 403), ("license_expired", 403), ("not_found", 404),
            ("busy", 409), ("invalid_transition", 409), ("validation", 422), ("rate_limited", 429),
            ("wrong_tenant", 403), ("wrong_role", 403), ("unknown_channel", 403), ("consent_missing", 403), ("bad_signature", 401), ("stale_timestamp", 401), ("recording_conflict", 409),
        ]
        #expect(ReasonCode.allCases.map { ($0.rawValue, $0.httpStatus) }.elementsEqual(expected, by: ==))
        #expect(DomainError(.busy, "Busy.").description == "busy: Busy.")
    }
}
