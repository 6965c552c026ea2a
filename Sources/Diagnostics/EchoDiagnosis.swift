import Foundation

/// Finds why "Echo receives no events": runs ``EchoCheckName``'s checks in order against a
/// Pusher-protocol server and an app's auth endpoint, as a browser with Laravel Echo would, and
/// stops at the first broken layer (the checks after it are skipped). The refusal checks and
/// the presence check stand alone: each runs once the subscribed event delivery works. The
/// external server check (`CALLCTL_PUSHER_URL`) is about another server and always runs.
///
/// Every check is bounded by the target's timeout; blocking calls (libcurl, getaddrinfo) run
/// off the cooperative pool. Secrets never appear in the report.
public struct EchoDiagnosis: Sendable {
    /// What is diagnosed.
    public let target: EchoTarget
    private let now: @Sendable () -> Date

    /// A diagnosis of `target`; `now` dates the HTTP API signature and the certificate check.
    public init(target: EchoTarget, now: @escaping @Sendable () -> Date = { Date() }) {
        self.target = target
        self.now = now
    }

    /// Runs the checks.
    public func run() async -> EchoReport {
        var recorder = CheckRecorder<EchoCheckName>()
        await runLayers(&recorder)
        let external = ExternalServerCheck(server: target.external, timeout: target.timeout, now: now)
        await recorder.run(.externalServer) { await external.run() }
        return recorder.report(redacting: target.secrets)
    }

    private func runLayers(_ recorder: inout CheckRecorder<EchoCheckName>) async {
        let network = NetworkChecks(target: target, now: now)
        guard let address = await recorder.run(.dns, { await network.resolve() }),
              await recorder.run(.tcp, { await network.connect(address) }) != nil,
              await recorder.run(.tls, { await network.tls() }) != nil else { return }
        let socket = PusherSocket(url: target.socketURL, caFile: target.caFile)
        await runSession(SocketChecks(target: target, socket: socket), &recorder)
        socket.close()
    }

    private func runSession(_ sockets: SocketChecks, _ recorder: inout CheckRecorder<EchoCheckName>) async {
        let auth = AuthChecks(target: target)
        let channel = target.channel
        guard await recorder.run(.websocketUpgrade, { await sockets.upgrade() }) != nil,
              let first = await recorder.run(.connectionEstablished, { await sockets.firstMessage() }),
              let socketID = await recorder.run(.appKey, { sockets.appKey(first) }),
              let grant = await recorder.run(.authEndpoint, { await auth.authorize(channel, socketID: socketID) }),
              await recorder.run(.authSignature, { auth.verify(grant, channel: channel, socketID: socketID) }) != nil,
              await recorder.run(.subscription, { await sockets.subscribe(channel, auth: grant.auth, channelData: grant.channelData) }) != nil
        else { return }
        let delivery = DeliveryChecks(target: target, sockets: sockets, auth: auth, now: now)
        guard await recorder.run(.eventDelivery, { await delivery.eventArrives(on: channel) }) != nil else { return }

        await recorder.run(.refusesNoToken) {
            await auth.refuses(channel, socketID: socketID, token: nil, asking: "a request without a token")
        }
        await recorder.run(.refusesOtherUser) { await refusesOtherUser(auth, socketID: socketID) }
        await recorder.run(.refusesOtherTenant) { () async -> Finding<Void> in
            guard let foreign = target.foreignToken else {
                return .skip("no --foreign-token: give a token of a user of another tenant to check tenant isolation")
            }
            return await auth.refuses(channel, socketID: socketID, token: foreign, asking: "a user of another tenant")
        }
        await recorder.run(.presence) { await delivery.presence(target.presenceChannel, socketID: socketID) }
    }

    /// Asks for `private-users.{id}` of a user other than the token's (its `sub` plus one).
    private func refusesOtherUser(_ auth: AuthChecks, socketID: String) async -> Finding<Void> {
        guard let user = AuthEndpoint.subject(ofToken: target.token) else {
            return .skip("the token is not a JWT with a numeric sub claim: cannot name another user's channel")
        }
        let other = user == Int64.max ? user - 1 : user + 1
        return await auth.refuses("private-users.\(other)", socketID: socketID, token: target.token,
                                  asking: "user \(user), another user's channel")
    }
}
