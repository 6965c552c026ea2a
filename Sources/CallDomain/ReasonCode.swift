/// Why a request was refused: the machine-readable code returned in every error body.
///
/// The raw values are part of the public API contract (docs/design.md "Rules/Policy"); never rename
/// them. `wrongTenant`, `wrongRole` and `unknownChannel` are used only by ``ChannelRuleSet`` for
/// `/broadcasting/auth` refusals.
public enum ReasonCode: String, Sendable, Equatable, Hashable, CaseIterable, Codable {
    /// No valid credentials were presented.
    case unauthenticated
    /// The user is not a party allowed to do this (not a participant, or the wrong participant).
    case notParticipant = "not_participant"
    /// The appointment's access window has not opened yet.
    case tooEarly = "too_early"
    /// The appointment's access window has closed.
    case tooLate = "too_late"
    /// The appointment's status does not allow calls (completed, no_show, cancelled, rescheduled).
    case invalidStatus = "invalid_status"
    /// The appointment's doctor is inactive or suspended.
    case doctorInactive = "doctor_inactive"
    /// The appointment's doctor's license has expired.
    case licenseExpired = "license_expired"
    /// The appointment or call does not exist.
    case notFound = "not_found"
    /// The appointment or the callee already has an open call.
    case busy
    /// The action does not apply to the call or appointment in its current state.
    case invalidTransition = "invalid_transition"
    /// The input was malformed or out of range.
    case validation
    /// Too many requests; the response carries `Retry-After`.
    case rateLimited = "rate_limited"
    /// A tenant channel was asked for by a user of another tenant.
    case wrongTenant = "wrong_tenant"
    /// A tenant channel whose rule (`role` or `lock`) admits other roles than the user's.
    case wrongRole = "wrong_role"
    /// A private or presence channel name that no rule authorizes, or a public channel (one
    /// without a lowercase `private-`/`presence-` prefix), which needs no authorization.
    case unknownChannel = "unknown_channel"
    /// Recording needs both participants' consent; the message names whose is missing.
    case consentMissing = "consent_missing"
    /// A signed webhook's signature is missing or does not match.
    case badSignature = "bad_signature"
    /// A signed webhook's timestamp is outside the replay window.
    case staleTimestamp = "stale_timestamp"
    /// A recording id was announced again with different contents.
    case recordingConflict = "recording_conflict"

    /// The HTTP status code that carries this reason.
    public var httpStatus: Int {
        switch self {
        case .unauthenticated, .badSignature, .staleTimestamp: 401
        case .notParticipant, .tooEarly, .tooLate, .invalidStatus, .doctorInactive, .licenseExpired,
             .wrongTenant, .wrongRole, .unknownChannel, .consentMissing:
            403
        case .notFound: 404
        case .busy, .invalidTransition, .recordingConflict: 409
        case .validation: 422
        case .rateLimited: 429
        }
    }
}
