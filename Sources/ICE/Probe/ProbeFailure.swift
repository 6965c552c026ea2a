import NIOCore
import NIOSSL

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a probe step failed: a sentence naming what happened and its likely cause, and the
/// status it earns (CRITICAL for the server's faults, UNKNOWN for local ones).
struct ProbeFailure: Error, Sendable, CustomStringConvertible {
    /// The status of the failed check.
    let status: ProbeStatus
    /// What happened and what probably caused it.
    let description: String

    init(_ description: String, status: ProbeStatus = .critical) {
        self.description = description
        self.status = status
    }

    /// No usable answer before the deadline.
    static func timeout(_ what: String, after timeout: Duration, noise: NoiseCount = NoiseCount()) -> ProbeFailure {
        let heard = noise.summary.map { "; \($0)" } ?? "; nothing came back: the server is down or unreachable, or a firewall filters the port"
        return ProbeFailure("no \(what) within \(ProbeTiming.text(timeout)) (timeout)\(heard)")
    }

    /// An ERROR-CODE response to a request, with the cause the code usually has.
    static func errorResponse(_ method: StunMethod, code: StunErrorCode, reason: String) -> ProbeFailure {
        let said = reason.isEmpty ? "" : " (\"\(reason.prefix(120))\")"
        return ProbeFailure("\(method) failed with \(code)\(said): \(code.likelyCause)")
    }

    /// A failure of the channel itself: refused, unreachable, TLS, closed.
    static func channel(_ error: any Error, remote: String) -> ProbeFailure {
        if let failure = error as? ProbeFailure { return failure }
        if let io = error as? IOError {
            switch io.errnoCode {
            case ECONNREFUSED:
                return ProbeFailure("connection refused by \(remote): nothing listens on that port (server down or wrong port)")
            case EHOSTUNREACH, ENETUNREACH:
                return ProbeFailure("\(remote) is unreachable: no route to the host")
            case ECONNRESET, EPIPE:
                return ProbeFailure("\(remote) reset the connection")
            default:
                return ProbeFailure("network error talking to \(remote): \(io)")
            }
        }
        if let channel = error as? ChannelError {
            switch channel {
            case .connectTimeout:
                return ProbeFailure("TCP connect to \(remote) timed out: the host is down or a firewall drops the port")
            case .eof, .ioOnClosedChannel, .alreadyClosed, .outputClosed:
                return ProbeFailure("\(remote) closed the connection")
            default:
                return ProbeFailure("network error talking to \(remote): \(channel)")
            }
        }
        if let garbage = error as? StreamGarbage {
            return ProbeFailure("\(remote) sent bytes that are not STUN (\(garbage)): the port runs some other service")
        }
        if error is NIOSSLError || error is NIOSSLExtraError || error is BoringSSLError {
            // BoringSSL's text carries its source path; its reason code alone says it.
            let text = "\(error)"
            let reason = text.firstMatch(of: /OPENSSL_internal:([A-Z0-9_]+)/).map { String($0.1) } ?? text
            return ProbeFailure("TLS with \(remote) failed: \(reason); if the certificate is self-signed or from a private CA, "
                                + "pass --ca-file PATH (or --insecure to skip verification)")
        }
        return ProbeFailure("network error talking to \(remote): \(error)")
    }
}

/// Packets a step received and could not use, kept to explain a timeout.
struct NoiseCount: Sendable {
    /// Packets that are not well-formed STUN.
    var undecodable = 0
    /// The last decoding error.
    var lastError: StunDecodingError?
    /// Responses discarded because MESSAGE-INTEGRITY did not verify.
    var badIntegrity = 0

    /// A clause for a timeout message, or `nil` when nothing was heard.
    var summary: String? {
        var parts: [String] = []
        if undecodable > 0 {
            parts.append("received \(undecodable) packet\(undecodable == 1 ? "" : "s") that are not valid STUN"
                         + (lastError.map { " (\($0))" } ?? "") + ": the port answers, but not as a STUN server")
        }
        if badIntegrity > 0 {
            parts.append("discarded \(badIntegrity) response\(badIntegrity == 1 ? "" : "s") whose MESSAGE-INTEGRITY did not verify: the password is wrong for the realm")
        }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }
}

extension StunErrorCode {
    /// What usually causes this code when a probe meets it.
    var likelyCause: String {
        switch self {
        case .tryAlternate: "the server redirects clients to another server (ALTERNATE-SERVER)"
        case .badRequest: "the server found the request malformed"
        case .unauthenticated:
            "authentication failed: the username or password is wrong, the realm differs, or TURN REST credentials were made with another secret or have expired (check the clocks)"
        case .forbidden: "forbidden: the peer address is not allowed (denied-peer-ip, no loopback or private peers), or the user is blocked"
        case .unknownAttribute: "the server does not understand an attribute the request needs"
        case .allocationMismatch: "server state: an allocation for this address already exists or is gone"
        case .staleNonce: "the server's nonce expired"
        case .wrongCredentials: "the credentials differ from the ones the allocation was made with"
        case .unsupportedTransportProtocol: "the server does not relay UDP"
        case .allocationQuotaReached: "quota: this user has too many allocations open"
        case .serverError: "the server failed temporarily"
        case .insufficientCapacity: "server state or quota: the server has no relay ports or capacity left"
        default: "the server refused the request"
        }
    }
}
