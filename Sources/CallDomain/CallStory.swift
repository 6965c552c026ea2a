import Foundation

/// Everything recorded about one appointment's calls, as `callctl call show` prints it: the
/// appointment, its sessions with their audited steps, the refusals, the events with their
/// delivery, and who was on the appointment's channel when. Built by CallStore's reads; the
/// conclusion is ``CallStoryVerdict``.
public struct CallStory: Sendable, Equatable, Codable {
    /// A participant: the user id and name.
    public struct Person: Sendable, Equatable, Codable {
        public let userId: Int64
        public let name: String
        public init(userId: Int64, name: String) { self.userId = userId; self.name = name }
    }

    /// The appointment and its access window.
    public struct Appointment: Sendable, Equatable, Codable {
        public let id: Int64
        public let tenantId: Int64
        public let status: String
        public let scheduledAt: Date
        public let durationMinutes: Int
        public let opensAt: Date
        public let closesAt: Date
        public let startedAt: Date?
        public let endedAt: Date?
        public let doctor: Person
        public let patient: Person

        public init(id: Int64, tenantId: Int64, status: String, scheduledAt: Date, durationMinutes: Int, window: AccessWindow,
                    startedAt: Date?, endedAt: Date?, doctor: Person, patient: Person) {
            self.id = id
            self.tenantId = tenantId
            self.status = status
            self.scheduledAt = scheduledAt
            self.durationMinutes = durationMinutes
            opensAt = window.opensAt
            closesAt = window.closesAt
            self.startedAt = startedAt
            self.endedAt = endedAt
            self.doctor = doctor
            self.patient = patient
        }

        /// "doctor" or "patient" for a participant's user id; nil for anyone else.
        public func role(of userId: Int64?) -> String? {
            userId == doctor.userId ? "doctor" : userId == patient.userId ? "patient" : nil
        }
    }

    /// One audit row: a state change or a refusal, with who, when and from where.
    public struct Step: Sendable, Equatable, Codable {
        public let at: Date
        public let type: String
        public let callId: String?
        public let userId: Int64?
        public let from: String?
        public let to: String?
        public let reason: String?
        public let ip: String?
        public let userAgent: String?
        public let requestId: String?
        public let by: String?
        /// What a browser's report said (`NotAllowedError …`, `relay udp`, `rtt 450 ms, loss 2.5 %, jitter 12 ms`).
        public let detail: String?

        public init(at: Date, type: String, callId: String?, userId: Int64?, from: String?, to: String?, reason: String?,
                    ip: String?, userAgent: String?, requestId: String?, by: String?, detail: String? = nil) {
            self.at = at
            self.type = type
            self.callId = callId
            self.userId = userId
            self.from = from
            self.to = to
            self.reason = reason
            self.ip = ip
            self.userAgent = userAgent
            self.requestId = requestId
            self.by = by
            self.detail = detail
        }
    }

    /// One call session with its audited steps.
    public struct Session: Sendable, Equatable, Codable {
        public let id: String
        public let state: String
        public let endReason: String?
        public let callerUserId: Int64
        public let calleeUserId: Int64
        public let requestedAt: Date
        public let acceptedAt: Date?
        public let connectedAt: Date?
        public let endedAt: Date?
        public let lastHeartbeatAt: Date?
        public var steps: [Step]

        public init(id: String, state: String, endReason: String?, callerUserId: Int64, calleeUserId: Int64, requestedAt: Date,
                    acceptedAt: Date?, connectedAt: Date?, endedAt: Date?, lastHeartbeatAt: Date?, steps: [Step] = []) {
            self.id = id
            self.state = state
            self.endReason = endReason
            self.callerUserId = callerUserId
            self.calleeUserId = calleeUserId
            self.requestedAt = requestedAt
            self.acceptedAt = acceptedAt
            self.connectedAt = connectedAt
            self.endedAt = endedAt
            self.lastHeartbeatAt = lastHeartbeatAt
            self.steps = steps
        }
    }

    /// One outbox row for the appointment's channel and how far its delivery got.
    public struct Event: Sendable, Equatable, Codable {
        public let id: Int64
        /// The short name (`AppointmentCallRequested`), without the namespace.
        public let name: String
        public let callId: String?
        public let createdAt: Date
        /// When the daemons' hubs delivered it to their subscribers.
        public let relayedAt: Date?
        /// When it was delivered everywhere it goes (the external server included).
        public let publishedAt: Date?
        public let attempts: Int
        /// The external server's last refusal.
        public let lastError: String?
        /// The users on the channel when it went out (or now, if it has not), from ``ChannelEntry``s.
        public var subscribers: [Int64]
        /// Sockets on the channel then whose user callctl did not sign (another auth endpoint).
        public var unknownSockets: Int

        public init(id: Int64, name: String, callId: String?, createdAt: Date, relayedAt: Date?, publishedAt: Date?,
                    attempts: Int, lastError: String?, subscribers: [Int64] = [], unknownSockets: Int = 0) {
            self.id = id
            self.name = name
            self.callId = callId
            self.createdAt = createdAt
            self.relayedAt = relayedAt
            self.publishedAt = publishedAt
            self.attempts = attempts
            self.lastError = lastError
            self.subscribers = subscribers
            self.unknownSockets = unknownSockets
        }
    }

    public let appointment: Appointment
    public let sessions: [Session]
    /// Audit rows with no session: `busy` refusals.
    public let refusals: [Step]
    public let events: [Event]
    public let channel: [ChannelEntry]

    /// Assembles a story; each event's subscribers are worked out from `channel`.
    public init(appointment: Appointment, sessions: [Session], refusals: [Step], events: [Event], channel: [ChannelEntry]) {
        self.appointment = appointment
        self.sessions = sessions
        self.refusals = refusals
        let presence = ChannelPresence(channel)
        self.events = events.map { event in
            var event = event
            let moment = event.relayedAt ?? event.createdAt
            event.subscribers = presence.users(at: moment)
            event.unknownSockets = presence.unknownSockets(at: moment)
            return event
        }
        self.channel = channel
    }
}
