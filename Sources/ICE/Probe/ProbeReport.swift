/// One named step of a probe: what it found and how long it took.
public struct ProbeCheck: Hashable, Sendable {
    /// The step, e.g. `binding`, `allocate-authenticated`, `relay-inbound`.
    public let name: String
    /// How the step went.
    public let status: ProbeStatus
    /// How long the step took.
    public let duration: Duration
    /// What the step saw, or why it failed and the likely cause.
    public let detail: String

    /// A check with its outcome.
    public init(name: String, status: ProbeStatus, duration: Duration, detail: String) {
        self.name = name
        self.status = status
        self.duration = duration
        self.detail = detail
    }
}

/// The result of probing one STUN or TURN server.
public struct ProbeReport: Sendable {
    /// Which protocol a probe exercised.
    public enum Kind: String, Hashable, Sendable {
        /// A STUN Binding request.
        case stun
        /// The TURN allocation and relay sequence.
        case turn
    }

    /// The server probed.
    public let uri: IceServerURI
    /// What was probed.
    public let kind: Kind
    /// The checks that ran, in order; later steps are absent after a failure, except the
    /// clean-up of an allocation.
    public internal(set) var checks: [ProbeCheck]
    /// This host's address as the server saw it (XOR-MAPPED-ADDRESS).
    public internal(set) var mappedAddress: StunAddress?
    /// The TURN allocation's relayed address (XOR-RELAYED-ADDRESS).
    public internal(set) var relayedAddress: StunAddress?
    /// The round-trip time the thresholds apply to: the Binding transaction for STUN, the
    /// relay round trip (peer → relay → probe → relay → peer) for TURN.
    public internal(set) var rtt: Duration?

    /// An empty report, filled in by a probe.
    public init(uri: IceServerURI, kind: Kind) {
        self.uri = uri
        self.kind = kind
        self.checks = []
    }

    /// The worst status of the checks; UNKNOWN when none ran.
    public var status: ProbeStatus {
        checks.map(\.status).max() ?? .unknown
    }

    /// The first check that is not OK, for one-line summaries.
    public var firstProblem: ProbeCheck? {
        checks.first { $0.status != .ok }
    }

    /// The report with an `rtt` check added that compares the round-trip time with the
    /// thresholds; unchanged when no threshold is set or no round trip was measured.
    public func evaluated(with thresholds: RTTThresholds) -> ProbeReport {
        guard !thresholds.isEmpty, let rtt else { return self }
        var report = self
        report.checks.append(ProbeCheck(
            name: "rtt", status: thresholds.status(for: rtt), duration: .zero,
            detail: "\(ProbeTiming.text(rtt)) against \(thresholds)"))
        return report
    }
}

/// Round-trip thresholds as Nagios plugins take them: above `warning` is WARNING, above
/// `critical` is CRITICAL.
public struct RTTThresholds: Hashable, Sendable, CustomStringConvertible {
    /// The round-trip time above which the probe warns.
    public let warning: Duration?
    /// The round-trip time above which the probe is critical.
    public let critical: Duration?

    /// Thresholds; either may be absent.
    public init(warning: Duration? = nil, critical: Duration? = nil) {
        self.warning = warning
        self.critical = critical
    }

    /// Whether neither threshold is set.
    public var isEmpty: Bool { warning == nil && critical == nil }

    /// The status a round-trip time earns.
    public func status(for rtt: Duration) -> ProbeStatus {
        if let critical, rtt > critical { return .critical }
        if let warning, rtt > warning { return .warning }
        return .ok
    }

    /// `warning 100 ms, critical 300 ms`.
    public var description: String {
        [warning.map { "warning \(ProbeTiming.text($0))" }, critical.map { "critical \(ProbeTiming.text($0))" }]
            .compactMap { $0 }.joined(separator: ", ")
    }
}
