import CallDomain
import Foundation

/// One domain change as the trail and the outbox record it: the `appointment_call_events` row
/// and, when the change is announced, the event for `private-appointments.{id}`.
public struct RecordedChange: Sendable, Equatable {
    /// The appointment the change is about.
    public let appointmentId: Int64
    /// The call session, when the change is about one.
    public let callId: UUID?
    /// The acting user; nil for changes made by the system (the jobs).
    public let userId: Int64?
    /// The audit row's `type`.
    public let audit: AuditEventType
    /// When the change happened (the audit row's `at`).
    public let at: Date
    /// The audit row's `payload`.
    public let details: AuditDetails
    /// The event to publish, or nil when the change is recorded but not announced.
    public let event: CallEvent?
    /// Channels the event also goes to besides the appointment's (the callee's own channel, for a ring).
    public let alsoOn: [ChannelName]

    /// Creates a change record.
    public init(
        appointmentId: Int64, callId: UUID? = nil, userId: Int64? = nil, audit: AuditEventType, at: Date,
        details: AuditDetails, event: CallEvent?, alsoOn: [ChannelName] = []
    ) {
        self.appointmentId = appointmentId
        self.callId = callId
        self.userId = userId
        self.audit = audit
        self.at = at
        self.details = details
        self.event = event
        self.alsoOn = event == nil ? [] : alsoOn
    }
}

/// The `payload` of an audit row: which job or client acted and what moved where. Absent
/// fields are left out of the JSON.
public struct AuditDetails: Sendable, Hashable, Encodable {
    /// The job that made the change (`no_show`, `reap`), nil for user actions.
    public let job: String?
    /// The call's end reason, when a call ended.
    public let reason: EndReason?
    /// The state or status before the change.
    public let from: String?
    /// The state or status after the change.
    public let to: String?
    /// The appointment status set together with a call change (`completed` on heartbeat loss).
    public let appointment: AppointmentStatus?
    /// The acting participant's PeerJS id, for user actions that carry one.
    public let peerId: String?
    /// The client's `User-Agent`, for user actions.
    public let userAgent: String?
    /// The client's IP address, for user actions.
    public let ip: String?
    /// The request that made the change (`X-Request-Id`), for user actions.
    public let requestId: String?
    /// The operator who made the change (`callctl call end --by`).
    public let by: String?
    /// The operator's explanation (`callctl call end --reason`).
    public let note: String?

    /// Creates the details.
    public init(job: String? = nil, reason: EndReason? = nil, from: String? = nil, to: String? = nil,
                appointment: AppointmentStatus? = nil, peerId: String? = nil, userAgent: String? = nil, ip: String? = nil,
                requestId: String? = nil, by: String? = nil, note: String? = nil) {
        self.job = job
        self.reason = reason
        self.from = from
        self.to = to
        self.appointment = appointment
        self.peerId = peerId
        self.userAgent = userAgent
        self.ip = ip
        self.requestId = requestId
        self.by = by
        self.note = note
    }
}
