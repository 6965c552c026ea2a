import NIOCore

/// A TURN client's side of one connection: the realm and nonce of the server's challenge,
/// and requests that carry them with MESSAGE-INTEGRITY (RFC 8656 §7, RFC 8489 §9.2).
/// Lives in the probe's own task.
final class TurnSession {
    /// The allocation a successful Allocate made.
    struct Allocation {
        let relayed: StunAddress
        let mapped: StunAddress?
        let lifetime: UInt32?
    }

    let connection: ProbeConnection
    let login: TurnLogin
    /// When transactions and relay checks give up; the probe moves it for the clean-up.
    var deadline: NIODeadline
    let timeout: Duration
    /// The server's realm, once it challenged; `nil` for a server that asks for no credentials.
    private(set) var realm: String?
    private var nonce: String?

    init(connection: ProbeConnection, login: TurnLogin, deadline: NIODeadline, timeout: Duration) {
        self.connection = connection
        self.login = login
        self.deadline = deadline
        self.timeout = timeout
    }

    /// One transaction on this connection.
    func transact(_ request: StunMessage, key: MessageIntegrityKey? = nil) async throws(ProbeFailure) -> StunTransaction.Result {
        try await StunTransaction(connection: connection, deadline: deadline, timeout: timeout).run(request, key: key)
    }

    /// The `allocate-challenge` check: an Allocate without credentials, which a TURN server
    /// answers with 401 and its realm and nonce. A server that allocates anyway is an open
    /// relay: the allocation is kept and the check warns.
    func challenge(log: CheckLog) async throws(ProbeFailure) -> Allocation? {
        try await log.step("allocate-challenge") { () async throws(ProbeFailure) -> StepOutcome<Allocation?> in
            let request = StunMessage(method: .allocate, class: .request, transactionID: .random(),
                                      attributes: [.requestedTransport(.udp)])
            let response = try await transact(request).response
            guard let (code, reason) = response.errorCode else {
                return StepOutcome(value: try Self.allocation(from: response),
                                   detail: "the server allocated a relay without credentials: it is an open relay",
                                   status: .warning)
            }
            guard code == .unauthenticated else { throw .errorResponse(.allocate, code: code, reason: reason) }
            guard let realm = response.realm, let nonce = response.nonce else {
                throw ProbeFailure("401 without REALM and NONCE: the server does not use long-term credentials")
            }
            self.realm = realm
            self.nonce = nonce
            return StepOutcome(value: nil, detail: "401 challenge with realm \"\(realm.prefix(80))\"")
        }
    }

    /// The `allocate-authenticated` check: the Allocate with credentials.
    func allocate(log: CheckLog) async throws(ProbeFailure) -> Allocation {
        try await log.step("allocate-authenticated") { () async throws(ProbeFailure) -> StepOutcome<Allocation> in
            let (result, note) = try await authenticated(.allocate, [.requestedTransport(.udp)])
            let allocation = try Self.allocation(from: result.response)
            let lifetime = allocation.lifetime.map { ", lifetime \($0) s" } ?? ""
            return StepOutcome(value: allocation,
                               detail: "relayed address \(allocation.relayed) for \(login)\(lifetime)\(result.retransmissionNote)\(note)")
        }
    }

    /// Sends `method` with `attributes` plus USERNAME, REALM, NONCE and MESSAGE-INTEGRITY
    /// (plainly to a server that asked for no credentials). On 438 Stale Nonce it tries once
    /// more with the new nonce. An error response throws, naming its likely cause.
    func authenticated(_ method: StunMethod, _ attributes: [StunAttribute])
        async throws(ProbeFailure) -> (result: StunTransaction.Result, note: String) {
        var note = ""
        for attempt in 1...2 {
            var request = StunMessage(method: method, class: .request, transactionID: .random(), attributes: attributes)
            var key: MessageIntegrityKey?
            if let realm, let nonce {
                request.attributes += [.username(login.username), .realm(realm), .nonce(nonce)]
                key = login.key(realm: realm)
            }
            let result = try await transact(request, key: key)
            guard let (code, reason) = result.response.errorCode else { return (result, note) }
            if code == .staleNonce, attempt == 1, let fresh = result.response.nonce {
                nonce = fresh
                realm = result.response.realm ?? realm
                note = " (retried after 438 Stale Nonce)"
                continue
            }
            throw .errorResponse(method, code: code, reason: reason)
        }
        throw ProbeFailure("\(method) kept failing with 438 Stale Nonce: the server's nonces expire at once")
    }

    /// The addresses of a successful Allocate response.
    private static func allocation(from response: StunMessage) throws(ProbeFailure) -> Allocation {
        guard let relayed = response.xorRelayedAddress else {
            throw ProbeFailure("the Allocate response carries no XOR-RELAYED-ADDRESS")
        }
        return Allocation(relayed: relayed, mapped: response.xorMappedAddress, lifetime: response.lifetime)
    }
}
