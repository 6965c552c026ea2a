import NIOCore
import NIOPosix
import NIOSSL

/// Opens the channels probes use, on an NIO event loop (never on Swift's cooperative
/// pool): UDP sockets connected to one address, TCP and TLS connections whose bytes are
/// cut into frames. Name lookups run on NIO's blocking-work thread pool.
enum ProbeConnector {
    /// One event-loop thread for all probes of the process, started on first use: their
    /// traffic is a few small packets, and each thread more costs start-up time.
    static let eventLoops = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    /// The largest datagram read; STUN over UDP stays far below it (RFC 8489 §7.1).
    static let datagramReadSize = 4096

    /// Connects to the server `uri` names over its transport, recording `resolve` (for host
    /// names), `tcp-connect` and `tls-handshake` checks as they apply.
    static func open(_ uri: IceServerURI, configuration: ProbeConfiguration, deadline: NIODeadline,
                     log: CheckLog) async throws(ProbeFailure) -> ProbeConnection {
        let address: SocketAddress
        if let ip = uri.ipAddress {
            address = try await log.unlessFailing("address") { () throws(ProbeFailure) in
                try StunAddress(ip: ip, port: uri.port).socketAddress()
            }
        } else {
            address = try await log.step("resolve") { () async throws(ProbeFailure) -> StepOutcome<SocketAddress> in
                let resolved = try await resolve(uri.host, port: uri.port, deadline: deadline, timeout: configuration.timeout)
                return StepOutcome(value: resolved, detail: "\(uri.host) is \(resolved.ipAddress ?? "\(resolved)")")
            }
        }
        let remote = StunAddress(socketAddress: address)?.description ?? "\(uri.host):\(uri.port)"
        switch uri.transport {
        case .udp:
            return try await log.unlessFailing("udp-socket") { () async throws(ProbeFailure) in
                try await openDatagram(to: address, remote: remote)
            }
        case .tcp:
            return try await log.step("tcp-connect") { () async throws(ProbeFailure) -> StepOutcome<ProbeConnection> in
                let connection = try await openStream(to: address, remote: remote, tls: nil, deadline: deadline)
                return StepOutcome(value: connection, detail: connectedDetail(connection))
            }
        case .tls:
            let context = try await log.unlessFailing("tls-setup") { () throws(ProbeFailure) in
                try tlsContext(configuration.tlsTrust)
            }
            let hostname = uri.ipAddress == nil ? uri.host : nil
            let connection = try await log.step("tcp-connect") { () async throws(ProbeFailure) -> StepOutcome<ProbeConnection> in
                let connection = try await openStream(to: address, remote: remote, tls: (context, hostname), deadline: deadline)
                return StepOutcome(value: connection, detail: connectedDetail(connection))
            }
            do {
                try await log.step("tls-handshake") { () async throws(ProbeFailure) -> StepOutcome<Void> in
                    try await awaitHandshake(connection, deadline: deadline, timeout: configuration.timeout)
                    let trust = configuration.tlsTrust == .insecure ? "certificate NOT verified (--insecure)" : "certificate verified"
                    return StepOutcome(value: (), detail: "\(trust) for \(hostname ?? remote)")
                }
            } catch {
                connection.close()
                throw error
            }
            return connection
        }
    }

    /// A UDP socket connected to `address`: it receives only from there, and a refusal
    /// (ICMP port unreachable) surfaces as an error.
    static func openDatagram(to address: SocketAddress, remote: String) async throws(ProbeFailure) -> ProbeConnection {
        let group = eventLoops
        let inbox = PacketInbox(eventLoop: group.next())
        do {
            let channel = try await DatagramBootstrap(group: group)
                .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: datagramReadSize))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(DatagramInboxHandler(inbox: inbox))
                    }
                }
                .connect(to: address).get()
            return ProbeConnection(channel: channel, inbox: inbox, transport: .udp, remote: remote)
        } catch {
            throw .channel(error, remote: remote)
        }
    }

    /// A TCP connection to `address`, wrapped in TLS when `tls` is given.
    private static func openStream(to address: SocketAddress, remote: String, tls: (NIOSSLContext, String?)?,
                                   deadline: NIODeadline) async throws(ProbeFailure) -> ProbeConnection {
        let group = eventLoops
        let inbox = PacketInbox(eventLoop: group.next())
        let remaining = deadline - .now()
        guard remaining > .zero else { throw ProbeFailure("no time left to connect to \(remote)") }
        do {
            let channel = try await ClientBootstrap(group: group)
                .connectTimeout(remaining)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let pipeline = channel.pipeline.syncOperations
                        if let (context, hostname) = tls {
                            try pipeline.addHandler(NIOSSLClientHandler(context: context, serverHostname: hostname))
                        }
                        try pipeline.addHandler(ByteToMessageHandler(StunFrameDecoder(), maximumBufferSize: 2 * 65_555))
                        try pipeline.addHandler(StreamInboxHandler(inbox: inbox))
                    }
                }
                .connect(to: address).get()
            return ProbeConnection(channel: channel, inbox: inbox, transport: tls == nil ? .tcp : .tls, remote: remote)
        } catch {
            throw .channel(error, remote: remote)
        }
    }

    /// Waits for the TLS handshake that started when the connection opened.
    private static func awaitHandshake(_ connection: ProbeConnection, deadline: NIODeadline,
                                       timeout: Duration) async throws(ProbeFailure) {
        switch await connection.next(until: deadline) {
        case .event(.tlsEstablished): return
        case .event(.packet): throw ProbeFailure("\(connection.remote) sent data before the TLS handshake finished")
        case .timedOut: throw .timeout("TLS handshake with \(connection.remote)", after: timeout)
        case .failed(let error): throw .channel(error, remote: connection.remote)
        }
    }

    /// `from 127.0.0.1:40000 to 127.0.0.1:3478`.
    private static func connectedDetail(_ connection: ProbeConnection) -> String {
        "from \(connection.localAddress?.description ?? "?") to \(connection.remote)"
    }

    /// The TLS client context for a trust setting.
    private static func tlsContext(_ trust: ProbeConfiguration.TLSTrust) throws(ProbeFailure) -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch trust {
        case .system: break
        case .additionalCertificates(let path): configuration.additionalTrustRoots = [.file(path)]
        case .insecure: configuration.certificateVerification = .none
        }
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            let hint = if case .additionalCertificates(let path) = trust { "; \(path) must hold PEM certificates" } else { "" }
            throw ProbeFailure("cannot set up TLS: \(error)\(hint)", status: .unknown)
        }
    }

    /// The first address of `host`, looked up by getaddrinfo on NIO's thread pool, at most
    /// until `deadline`.
    private static func resolve(_ host: String, port: UInt16, deadline: NIODeadline,
                                timeout: Duration) async throws(ProbeFailure) -> SocketAddress {
        let loop = eventLoops.next()
        do {
            return try await NIOThreadPool.singleton.runIfActive(eventLoop: loop) {
                try SocketAddress.makeAddressResolvingHost(host, port: Int(port))
            }.get(until: deadline) { .timeout("DNS answer for \(host)", after: timeout) }
        } catch let failure as ProbeFailure {
            throw failure
        } catch {
            throw ProbeFailure("cannot resolve \(host): \(error)")
        }
    }
}
