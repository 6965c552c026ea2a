import NIOCore

/// One STUN request and its response (RFC 8489 §6.2). Over UDP the request is sent again
/// after 500 ms, then 1 s, 2 s, … (the RTO doubling each time, at most 7 sends) until the
/// deadline; over TCP and TLS it is sent once. Packets that are not the response — other
/// transactions, indications, garbage — are skipped and counted to explain a timeout.
struct StunTransaction {
    /// The first retransmission timeout.
    static let initialRTO = TimeAmount.milliseconds(500)
    /// The most times a request is sent (Rc).
    static let maximumTransmissions = 7

    /// What a transaction got back.
    struct Result {
        /// The success or error response.
        let response: StunMessage
        /// From the first send to the response.
        let elapsed: Duration
        /// How many times the request was sent.
        let transmissions: Int

        /// ` after 2 transmissions` when the request had to be sent again, else empty.
        var retransmissionNote: String {
            transmissions > 1 ? " after \(transmissions) transmissions" : ""
        }
    }

    let connection: ProbeConnection
    let deadline: NIODeadline
    /// The probe's time limit, for messages.
    let timeout: Duration

    /// Sends `request` (with MESSAGE-INTEGRITY under `key` when given, and FINGERPRINT) and
    /// waits for its response. A response to an authenticated request must carry a valid
    /// MESSAGE-INTEGRITY when it is a success, and when it carries one at all.
    func run(_ request: StunMessage, key: MessageIntegrityKey? = nil) async throws(ProbeFailure) -> Result {
        let bytes: [UInt8]
        do {
            bytes = try request.encoded(integrity: key, fingerprint: true)
        } catch {
            throw ProbeFailure("cannot encode \(request.method): \(error)", status: .unknown)
        }
        let start = NIODeadline.now()
        var rto = Self.initialRTO
        var nextSend = start
        var transmissions = 0
        var noise = NoiseCount()
        while true {
            if nextSend <= .now() {
                try await connection.send(bytes, until: deadline)
                transmissions += 1
                let last = connection.isReliable || transmissions >= Self.maximumTransmissions
                nextSend = last ? deadline : min(.now() + rto, deadline)
                rto = rto * 2
            }
            switch await connection.next(until: min(nextSend, deadline)) {
            case .event(.packet(let packet)):
                if let response = Self.response(in: packet, to: request, key: key, noise: &noise) {
                    return Result(response: response, elapsed: ProbeTiming.since(start), transmissions: transmissions)
                }
            case .event(.tlsEstablished):
                continue
            case .timedOut:
                if NIODeadline.now() >= deadline { throw .timeout("answer to \(request.method)", after: timeout, noise: noise) }
            case .failed(let error):
                throw .channel(error, remote: connection.remote)
            }
        }
    }

    /// The packet as the response to `request`, or `nil` when it is something else.
    private static func response(in packet: [UInt8], to request: StunMessage, key: MessageIntegrityKey?,
                                 noise: inout NoiseCount) -> StunMessage? {
        guard PacketKind(packet: packet) != .channelData else { return nil }
        let message: StunMessage
        do {
            message = try StunMessage(decoding: packet)
        } catch {
            noise.undecodable += 1
            noise.lastError = error
            return nil
        }
        guard message.transactionID == request.transactionID, message.method == request.method,
              message.messageClass == .successResponse || message.messageClass == .errorResponse,
              message.unknownComprehensionRequired.isEmpty else { return nil }
        if let key, message.messageClass == .successResponse || message.hasMessageIntegrity,
           !message.verifyIntegrity(key: key) {
            noise.badIntegrity += 1
            return nil
        }
        return message
    }
}
