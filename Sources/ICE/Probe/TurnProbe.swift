import NIOCore

/// Proves that a TURN server relays, over UDP, TCP or TLS: an Allocate without credentials
/// (expecting 401 with realm and nonce), the Allocate with them (retrying once on 438 Stale
/// Nonce), a CreatePermission for this host, a datagram from a second local socket through
/// the relay to the probe and one back, then a Refresh with LIFETIME 0 that releases the
/// allocation — also after a failed relay check.
///
/// Checks: `resolve`, `tcp-connect`, `tls-handshake` as they apply, `allocate-challenge`,
/// `allocate-authenticated`, `create-permission`, `relay-inbound`, `relay-outbound`,
/// `refresh` (`address`, `udp-socket`, `tls-setup` only when they fail). The round-trip
/// time is the relay round trip. The last tenth of the timeout (at most 500 ms) is kept
/// for releasing the allocation, so that a relay that never delivers does not leave
/// allocations behind to fill the user's quota.
public struct TurnProbe: Sendable {
    /// The server.
    public let uri: IceServerURI
    /// The credentials.
    public let login: TurnLogin
    /// Time limit and TLS trust.
    public let configuration: ProbeConfiguration

    /// A probe of `uri` with `login`.
    public init(uri: IceServerURI, login: TurnLogin, configuration: ProbeConfiguration) {
        self.uri = uri
        self.login = login
        self.configuration = configuration
    }

    /// Runs the probe; never throws and returns by the configured timeout.
    public func run() async -> ProbeReport {
        var report = ProbeReport(uri: uri, kind: .turn)
        let log = CheckLog()
        let deadline = NIODeadline.now() + ProbeTiming.timeAmount(configuration.timeout)
        let working = deadline - min(ProbeTiming.timeAmount(configuration.timeout / 10), .milliseconds(500))
        if let connection = try? await ProbeConnector.open(uri, configuration: configuration, deadline: working, log: log) {
            let session = TurnSession(connection: connection, login: login, deadline: working, timeout: configuration.timeout)
            if let allocation = await allocate(session, log: log) {
                report.mappedAddress = allocation.mapped
                report.relayedAddress = allocation.relayed
                report.rtt = try? await RelayRoundTrip(session: session, allocation: allocation).run(log: log)
                session.deadline = deadline
                await release(session, log: log)
            }
            connection.close()
        }
        report.checks = log.checks
        return report
    }

    /// The challenge and the authenticated Allocate; `nil` when either failed.
    private func allocate(_ session: TurnSession, log: CheckLog) async -> TurnSession.Allocation? {
        do {
            if let open = try await session.challenge(log: log) { return open }
            return try await session.allocate(log: log)
        } catch {
            return nil
        }
    }

    /// The `refresh` check: LIFETIME 0 deletes the allocation (RFC 8656 §8). A failure only
    /// warns, since the allocation expires by itself; with no time left it is not tried.
    private func release(_ session: TurnSession, log: CheckLog) async {
        guard session.deadline > .now() else { return }
        _ = try? await log.step("refresh") { () async throws(ProbeFailure) -> StepOutcome<Void> in
            do {
                let (result, note) = try await session.authenticated(.refresh, [.lifetime(0)])
                return StepOutcome(value: (), detail: "allocation released (LIFETIME 0)\(result.retransmissionNote)\(note)")
            } catch {
                throw ProbeFailure("allocation not released, it expires by itself: \(error)", status: .warning)
            }
        }
    }
}
