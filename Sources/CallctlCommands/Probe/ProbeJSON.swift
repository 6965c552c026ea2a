import CallDomain
import ICE
import TimeUnits

/// One probe as `--format json` prints it (keys in docs/design.md: `status`, `rtt_ms`,
/// `mapped_address`, `relayed_address`, `checks`); absent addresses and times are null.
struct ProbeJSON: Encodable {
    struct Check: Encodable {
        let name: String
        let status: String
        let durationMs: Double
        let detail: String

        enum CodingKeys: String, CodingKey {
            case name, status, detail
            case durationMs = "duration_ms"
        }
    }

    let probe: String
    let uri: String
    let status: String
    @NullWhenAbsent var rttMs: Double?
    @NullWhenAbsent var mappedAddress: String?
    @NullWhenAbsent var relayedAddress: String?
    let checks: [Check]

    init(probe: String, uri: String, status: ProbeStatus, rtt: Duration?, mappedAddress: String?,
         relayedAddress: String?, checks: [ProbeCheck]) {
        self.probe = probe
        self.uri = uri
        self.status = status.description
        rttMs = rtt.map(\.roundedMilliseconds)
        self.mappedAddress = mappedAddress
        self.relayedAddress = relayedAddress
        self.checks = checks.map {
            Check(name: $0.name, status: $0.status.description, durationMs: $0.duration.roundedMilliseconds, detail: $0.detail)
        }
    }

    init(_ report: ProbeReport) {
        self.init(probe: report.kind.rawValue, uri: report.uri.description, status: report.status, rtt: report.rtt,
                  mappedAddress: report.mappedAddress?.description, relayedAddress: report.relayedAddress?.description,
                  checks: report.checks)
    }

    enum CodingKeys: String, CodingKey {
        case probe, uri, status, checks
        case rttMs = "rtt_ms"
        case mappedAddress = "mapped_address"
        case relayedAddress = "relayed_address"
    }
}

/// `probe ice` as JSON: the same keys over all servers (worst status, slowest round trip,
/// first addresses), one check per probe, and each probe in full under `servers`.
struct IceJSON: Encodable {
    let summary: ProbeJSON
    let servers: [ProbeJSON]

    enum CodingKeys: String, CodingKey {
        case servers
    }

    func encode(to encoder: any Encoder) throws {
        try summary.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(servers, forKey: .servers)
    }
}
