import NIOCore

/// An open channel to a server, or to a relayed address for the relay check, with the
/// inbox its handler fills.
struct ProbeConnection: Sendable {
    /// The channel.
    let channel: any Channel
    /// What the channel received.
    let inbox: PacketInbox
    /// How the channel reaches the other side.
    let transport: IceServerURI.Transport
    /// The other side, for messages.
    let remote: String

    /// Whether the transport retransmits by itself (TCP, TLS).
    var isReliable: Bool { transport != .udp }

    /// This side's address.
    var localAddress: StunAddress? { channel.localAddress.flatMap(StunAddress.init(socketAddress:)) }

    /// Sends one datagram or writes bytes to the stream, waiting for the write at most until
    /// `deadline` (a server that stops reading could otherwise hold a stream write forever).
    func send(_ bytes: [UInt8], until deadline: NIODeadline) async throws(ProbeFailure) {
        let remote = remote
        do {
            try await channel.writeAndFlush(channel.allocator.buffer(bytes: bytes))
                .get(until: deadline) { ProbeFailure("\(remote) did not take the request before the deadline (timeout)") }
        } catch {
            throw .channel(error, remote: remote)
        }
    }

    /// The next packet or event, waiting at most until `deadline`.
    func next(until deadline: NIODeadline) async -> InboxOutcome {
        await inbox.next(until: deadline)
    }

    /// Starts closing the channel without waiting: a TLS server that never answers the
    /// close_notify must not hold the probe past its deadline.
    func close() {
        channel.close(promise: nil)
    }
}

extension StunAddress {
    /// The IP and port of a socket address; `nil` for a unix socket.
    init?(socketAddress: SocketAddress) {
        guard let text = socketAddress.ipAddress, let ip = IPAddress(text), let port = socketAddress.port,
              let port16 = UInt16(exactly: port) else { return nil }
        self.init(ip: ip, port: port16)
    }

    /// The socket address to connect to.
    func socketAddress() throws(ProbeFailure) -> SocketAddress {
        do {
            return try SocketAddress(ipAddress: ip.description, port: Int(port))
        } catch {
            throw ProbeFailure("\(self) is not a usable socket address: \(error)", status: .unknown)
        }
    }
}
