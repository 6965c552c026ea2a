/// What a participant's browser reports about a call (`POST …/call/report`): an error it met,
/// the candidate pair ICE selected, or a summary of the call's quality. Each becomes an audit
/// row of its own type, so `call show` lists it and the KPIs can tell TURN, permission and
/// network failures apart.
public enum CallReport: Sendable, Equatable {
    /// A getUserMedia or PeerJS error, by its name (`NotAllowedError`, `peer-unavailable`) with an optional message.
    case error(name: String, message: String?)
    /// The selected candidate pair's local type, and its transport when given.
    case ice(candidateType: String, transport: String?)
    /// Round-trip time and jitter in milliseconds, packet loss in percent.
    case quality(rttMs: Double, packetLossPercent: Double, jitterMs: Double)

    /// The candidate types of RFC 8445 (and `prflx`).
    public static let candidateTypes: Set<String> = ["host", "srflx", "prflx", "relay"]
    /// The transports of a candidate.
    public static let transports: Set<String> = ["udp", "tcp", "tls"]
    /// The longest error name and message kept.
    public static let maximumNameLength = 64, maximumMessageLength = 256

    /// The error names that mean the browser was refused the camera or the microphone, or has none.
    public static let permissionErrors: Set<String> = [
        "NotAllowedError", "PermissionDeniedError", "SecurityError", "NotFoundError", "DevicesNotFoundError", "NotReadableError",
    ]

    /// Validates the fields of a report of `kind` (`error`, `ice` or `quality`).
    public init(kind: String, name: String?, message: String?, candidateType: String?, transport: String?,
                rttMs: Double?, packetLossPercent: Double?, jitterMs: Double?) throws(DomainError) {
        switch kind {
        case "error":
            guard let name, (1...Self.maximumNameLength).contains(name.count),
                  name.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0)) })
            else {
                throw DomainError(.validation, "An error report needs name: the error's name (1–\(Self.maximumNameLength) letters, digits, "
                    + "'-', '_' or '.'), e.g. NotAllowedError.")
            }
            if let message, message.count > Self.maximumMessageLength {
                throw DomainError(.validation, "message is at most \(Self.maximumMessageLength) characters.")
            }
            self = .error(name: name, message: message)
        case "ice":
            guard let candidateType, Self.candidateTypes.contains(candidateType) else {
                throw DomainError(.validation, "An ice report needs candidateType: host, srflx, prflx or relay.")
            }
            if let transport, !Self.transports.contains(transport) {
                throw DomainError(.validation, "transport is udp, tcp or tls.")
            }
            self = .ice(candidateType: candidateType, transport: transport)
        case "quality":
            guard let rttMs, let packetLossPercent, let jitterMs,
                  (0...60_000).contains(rttMs), (0...100).contains(packetLossPercent), (0...60_000).contains(jitterMs) else {
                throw DomainError(.validation, "A quality report needs rttMs (0–60000), packetLossPercent (0–100) and jitterMs (0–60000).")
            }
            self = .quality(rttMs: rttMs, packetLossPercent: packetLossPercent, jitterMs: jitterMs)
        default:
            throw DomainError(.validation, "kind is error, ice or quality.")
        }
    }

    /// The audit row's type.
    public var audit: AuditEventType {
        switch self {
        case .error: .error
        case .ice: .ice
        case .quality: .quality
        }
    }

    /// True for a report of poor network: loss over 5 % or RTT over 400 ms (docs/design.md's KPI).
    public var isPoorNetwork: Bool {
        if case .quality(let rtt, let loss, _) = self { return loss > 5 || rtt > 400 }
        return false
    }
}
