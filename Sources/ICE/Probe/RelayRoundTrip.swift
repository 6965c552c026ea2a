import NIOCore

/// Proves that an allocation relays, with no external peer: a second local UDP socket
/// plays the peer. The probe lets the peer in (CreatePermission), the peer sends a datagram
/// to the relayed address and the probe receives it as a Data indication (`relay-inbound`),
/// then the probe sends one back with a Send indication and the peer receives it
/// (`relay-outbound`). Payloads are random and compared byte for byte; since the relay's
/// legs to the peer are UDP, each datagram is sent again on the RTO schedule until it
/// arrives or the deadline passes.
struct RelayRoundTrip {
    let session: TurnSession
    let allocation: TurnSession.Allocation

    /// Runs the three checks; returns the relay round trip (inbound plus outbound time).
    func run(log: CheckLog) async throws(ProbeFailure) -> Duration {
        let peer = try await log.step("create-permission") { () async throws(ProbeFailure) -> StepOutcome<ProbeConnection> in
            let peer = try await ProbeConnector.openDatagram(
                to: try allocation.relayed.socketAddress(), remote: "relayed address \(allocation.relayed)")
            do throws(ProbeFailure) {
                let permitted = try permissionAddress(peer: peer)
                let (result, note) = try await session.authenticated(.createPermission, [.xorPeerAddress(permitted)])
                return StepOutcome(value: peer, detail: "peers from \(permitted.ip) may send to \(allocation.relayed)"
                                   + "\(result.retransmissionNote)\(note)")
            } catch {
                peer.close()
                throw error
            }
        }
        defer { peer.close() }
        return try await exchange(peer: peer, log: log)
    }

    /// The `relay-inbound` and `relay-outbound` checks.
    private func exchange(peer: ProbeConnection, log: CheckLog) async throws(ProbeFailure) -> Duration {
        let inboundPayload = Self.payload("in")
        let (seenPeer, inbound) = try await log.step("relay-inbound") { () async throws(ProbeFailure) -> StepOutcome<(StunAddress, Duration)> in
            let start = NIODeadline.now()
            let from = try await repeatSending(
                { () async throws(ProbeFailure) in try await peer.send(inboundPayload, until: session.deadline) },
                receiving: { Self.dataIndication($0, carrying: inboundPayload) },
                on: session.connection, what: "Data indication carrying the peer's datagram")
            let elapsed = ProbeTiming.since(start)
            return StepOutcome(value: (from, elapsed),
                               detail: "peer \(from) → relay → probe: \(inboundPayload.count) bytes intact in \(ProbeTiming.text(elapsed))")
        }
        let outboundPayload = Self.payload("out")
        let outbound = try await log.step("relay-outbound") { () async throws(ProbeFailure) -> StepOutcome<Duration> in
            let send = StunMessage(method: .send, class: .indication, transactionID: .random(),
                                   attributes: [.xorPeerAddress(seenPeer), .data(outboundPayload)])
            let sendBytes: [UInt8]
            do {
                sendBytes = try send.encoded(fingerprint: true)
            } catch {
                throw ProbeFailure("cannot encode Send: \(error)", status: .unknown)
            }
            let start = NIODeadline.now()
            _ = try await repeatSending(
                { () async throws(ProbeFailure) in try await session.connection.send(sendBytes, until: session.deadline) },
                receiving: { $0 == outboundPayload ? seenPeer : nil },
                on: peer, what: "datagram from the relay at the peer socket")
            let elapsed = ProbeTiming.since(start)
            return StepOutcome(value: elapsed,
                               detail: "probe → relay → peer \(seenPeer): \(outboundPayload.count) bytes intact in \(ProbeTiming.text(elapsed))")
        }
        return inbound + outbound
    }

    /// The address to permit: this host's reflexive address when the relay is of its
    /// family (the relay sees the peer socket from there too, behind the same NAT), else the
    /// peer socket's own address.
    private func permissionAddress(peer: ProbeConnection) throws(ProbeFailure) -> StunAddress {
        if let mapped = allocation.mapped, mapped.ip.family == allocation.relayed.ip.family {
            return StunAddress(ip: mapped.ip, port: 0)
        }
        guard let local = peer.localAddress else {
            throw ProbeFailure("the peer socket has no local address", status: .unknown)
        }
        return StunAddress(ip: local.ip, port: 0)
    }

    /// Sends on the RTO schedule until `receiving` accepts a packet arriving on `inbox`.
    private func repeatSending(_ sendOnce: () async throws(ProbeFailure) -> Void,
                               receiving accept: ([UInt8]) -> StunAddress?,
                               on inbox: ProbeConnection, what: String) async throws(ProbeFailure) -> StunAddress {
        let deadline = session.deadline
        var rto = StunTransaction.initialRTO
        var nextSend = NIODeadline.now()
        var ignored = 0
        while true {
            if nextSend <= .now() {
                try await sendOnce()
                nextSend = min(.now() + rto, deadline)
                rto = rto * 2
            }
            switch await inbox.next(until: min(nextSend, deadline)) {
            case .event(.packet(let packet)):
                if let from = accept(packet) { return from }
                ignored += 1
            case .event(.tlsEstablished):
                continue
            case .timedOut:
                guard NIODeadline.now() >= deadline else { continue }
                let heard = ignored > 0 ? "; \(ignored) other packet(s) arrived instead" : ""
                throw ProbeFailure("no \(what) within \(ProbeTiming.text(session.timeout)) (timeout): the relay dropped it "
                                   + "(no permission for the address it sees, or a firewall blocks the relayed port)\(heard)")
            case .failed(let error):
                throw .channel(error, remote: inbox.remote)
            }
        }
    }

    /// The sender of a Data indication carrying exactly `payload`, else `nil`.
    private static func dataIndication(_ packet: [UInt8], carrying payload: [UInt8]) -> StunAddress? {
        guard let message = try? StunMessage(decoding: packet), message.method == .data,
              message.messageClass == .indication, message.data == payload else { return nil }
        return message.xorPeerAddress
    }

    /// `callctl probe in ` and 16 random bytes: recognisable in a capture, never repeated.
    private static func payload(_ direction: String) -> [UInt8] {
        Array("callctl probe \(direction) ".utf8) + (0..<16).map { _ in UInt8.random(in: .min ... .max) }
    }
}
