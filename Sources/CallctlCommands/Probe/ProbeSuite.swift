import ICE

/// The probes `probe ice` ran, summed up: the worst status wins.
struct ProbeSuite {
    /// Each probe's report, in the order of the URIs.
    let reports: [ProbeReport]
    /// How long each probe took, wall clock.
    let durations: [Duration]

    /// The worst status of all probes.
    var status: ProbeStatus { reports.map(\.status).max() ?? .unknown }

    /// The slowest round trip.
    var rtt: Duration? { reports.compactMap(\.rtt).max() }

    /// The first mapped address any probe saw.
    var mappedAddress: StunAddress? { reports.lazy.compactMap(\.mappedAddress).first }

    /// The first relayed address any probe got.
    var relayedAddress: StunAddress? { reports.lazy.compactMap(\.relayedAddress).first }

    /// One check per probe, named `<kind> <uri>`, with its status, time and summary.
    var checks: [ProbeCheck] {
        zip(reports, durations).map { report, duration in
            ProbeCheck(name: "\(report.kind.rawValue) \(report.uri)", status: report.status, duration: duration,
                       detail: ProbeRenderer.summary(report))
        }
    }

    /// `4 probes OK` or `1 of 4 probes CRITICAL: turn turn:host:3478 allocate-authenticated: …`.
    var summary: String {
        let count = "\(reports.count) probe\(reports.count == 1 ? "" : "s")"
        guard let worst = reports.max(by: { $0.status < $1.status }), worst.status != .ok else { return "\(count) OK" }
        let failing = reports.filter { $0.status == worst.status }.count
        return "\(failing) of \(count) \(worst.status): \(worst.kind.rawValue) \(ProbeRenderer.summary(worst))"
    }
}
