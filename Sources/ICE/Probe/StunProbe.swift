import NIOCore

/// Asks a STUN server (or a TURN server, which is one too) for this host's address with a
/// Binding request over UDP, TCP or TLS, and times the answer.
///
/// Checks: `resolve` (host names only), `tcp-connect` and `tls-handshake` (TCP and TLS),
/// `binding`; `address`, `udp-socket` or `tls-setup` appear only when that local step
/// fails. The round-trip time is the Binding transaction's, from its first send.
public struct StunProbe: Sendable {
    /// The server.
    public let uri: IceServerURI
    /// Time limit and TLS trust.
    public let configuration: ProbeConfiguration

    /// A probe of `uri`.
    public init(uri: IceServerURI, configuration: ProbeConfiguration) {
        self.uri = uri
        self.configuration = configuration
    }

    /// Runs the probe; never throws and returns by the configured timeout.
    public func run() async -> ProbeReport {
        var report = ProbeReport(uri: uri, kind: .stun)
        let log = CheckLog()
        let deadline = NIODeadline.now() + ProbeTiming.timeAmount(configuration.timeout)
        if let connection = try? await ProbeConnector.open(uri, configuration: configuration, deadline: deadline, log: log) {
            let transaction = StunTransaction(connection: connection, deadline: deadline, timeout: configuration.timeout)
            if let (mapped, rtt) = try? await bind(transaction, log: log) {
                report.mappedAddress = mapped
                report.rtt = rtt
            }
            connection.close()
        }
        report.checks = log.checks
        return report
    }

    /// The `binding` check: the mapped address and the round-trip time.
    private func bind(_ transaction: StunTransaction, log: CheckLog) async throws(ProbeFailure) -> (StunAddress, Duration) {
        try await log.step("binding") { () async throws(ProbeFailure) -> StepOutcome<(StunAddress, Duration)> in
            let request = StunMessage(method: .binding, class: .request, transactionID: .random())
            let result = try await transaction.run(request)
            let response = result.response
            if let (code, reason) = response.errorCode { throw .errorResponse(.binding, code: code, reason: reason) }
            guard let mapped = response.xorMappedAddress ?? response.mappedAddress else {
                throw ProbeFailure("the Binding response carries no XOR-MAPPED-ADDRESS or MAPPED-ADDRESS")
            }
            let software = response.software.map { ", server \"\($0.prefix(60))\"" } ?? ""
            return StepOutcome(value: (mapped, result.elapsed),
                               detail: "mapped address \(mapped) in \(ProbeTiming.text(result.elapsed))\(result.retransmissionNote)\(software)")
        }
    }
}
