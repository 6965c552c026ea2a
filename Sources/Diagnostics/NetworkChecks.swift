import Foundation
import HTTPClient
import NIOCore
import NIOPosix
import Offloading
import TimeUnits

/// The transport layers under the WebSocket: name resolution, TCP and TLS.
struct NetworkChecks: Sendable {
    let target: EchoTarget
    let now: @Sendable () -> Date

    /// A certificate expiring sooner than this is a warning.
    static let expiryWarning: TimeInterval = 14 * 86_400

    /// Resolves the host (getaddrinfo, off the cooperative pool).
    func resolve() async -> Finding<SocketAddress> {
        let host = target.host, port = target.port
        let outcome = await Offloading.run(timeout: target.timeout) { () -> Result<SocketAddress, any Error> in
            Result { try SocketAddress.makeAddressResolvingHost(host, port: port) }
        }
        switch outcome {
        case nil:
            return .fail("no answer from the resolver within \(Timing.text(target.timeout))",
                         verdict: "the DNS resolver does not answer for \(host): check /etc/resolv.conf and the resolver's reachability")
        case .failure?:
            return .fail("\(host) does not resolve",
                         verdict: "\(host) has no DNS record here: check the host in --url (REVERB_HOST) and the DNS zone")
        case .success(let address)?:
            return .pass("\(host) resolves to \(address.ipAddress ?? "?")", address)
        }
    }

    /// Opens and closes a TCP connection to the resolved address.
    func connect(_ address: SocketAddress) async -> Finding<Void> {
        let timeout = target.timeout
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.milliseconds(Int64(timeout / .milliseconds(1))))
                .connect(to: address).get()
            try? await channel.close()
            return .pass("\(target.hostPort) accepts connections", ())
        } catch let error as IOError where error.errnoCode == ECONNREFUSED {
            return .fail("connection refused by \(target.hostPort)",
                         verdict: "nothing listens on \(target.hostPort): start the WebSocket server (php artisan reverb:start, "
                                + "callctl serve) or fix the port in --url (REVERB_PORT)")
        } catch ChannelError.connectTimeout {
            return .fail("no answer to the connection within \(Timing.text(timeout))",
                         verdict: "\(target.hostPort) does not answer: a firewall drops the packets or the host is down; "
                                + "check the security group / iptables for port \(target.port)")
        } catch {
            return .fail("cannot connect to \(target.hostPort): \(error)",
                         verdict: "\(target.hostPort) cannot be reached: check the route to the host and the port in --url")
        }
    }

    /// For wss: the TLS handshake through curl (which verifies the chain and the name) and the
    /// leaf certificate's expiry; for ws: skipped.
    func tls() async -> Finding<Void> {
        guard target.secure else { return .skip("ws:// has no TLS", ()) }
        let request = HTTPRequest(method: "GET", url: "\(target.httpOrigin)/", timeout: target.timeout, caFile: target.caFile)
        let result = await HTTPClient.result(of: request)
        switch result {
        case .success(let response):
            let handshake = Timing.text(response.timings.tls - response.timings.connect)
            guard let expiry = response.certificateExpiry else {
                return .pass("handshake \(handshake); the certificate's expiry was not reported", ())
            }
            let left = expiry.timeIntervalSince(now())
            let detail = "handshake \(handshake); certificate valid until \(Timing.day(expiry)) (\(Int(left / 86_400)) days)"
            guard left >= Self.expiryWarning else {
                return .warn(detail, verdict: "the certificate of \(target.host) expires in \(Int(left / 86_400)) days: "
                             + "renew it now (certbot renew) and reload the server that terminates TLS", ())
            }
            return .pass(detail, ())
        case .failure(let error):
            return await tlsFailure(error)
        }
    }

    /// Names why the handshake failed: an expired certificate (read without verification),
    /// an untrusted one, or no TLS at all.
    private func tlsFailure(_ error: HTTPClientError) async -> Finding<Void> {
        let expiry = await CertificateReader.expiry(host: target.host, port: target.port, timeout: target.timeout)
        if let expiry, expiry < now() {
            return .fail("certificate expired on \(Timing.day(expiry)) (\(Int(now().timeIntervalSince(expiry) / 86_400)) days ago)",
                         verdict: "the TLS certificate of \(target.hostPort) has expired: browsers refuse the WebSocket; "
                                + "renew it (certbot renew) and reload the server that terminates TLS")
        }
        if expiry == nil {
            return .fail("no TLS handshake with \(target.hostPort): \(error.description)",
                         verdict: "\(target.hostPort) does not speak TLS: use ws:// (REVERB_SCHEME=http) or put TLS in front of it")
        }
        return .fail("the certificate is not accepted: \(error.description)",
                     verdict: "the certificate of \(target.hostPort) is not trusted for \(target.host) (self-signed, "
                            + "another name, or the intermediate chain missing): install the full chain for this name")
    }
}

/// Durations and dates as the report prints them.
enum Timing {
    /// `0.412 ms`, `12 ms`, `5 s`.
    static func text(_ duration: Duration) -> String {
        let milliseconds = duration.milliseconds
        if milliseconds >= 1000 { return String(format: "%.1f s", milliseconds / 1000) }
        return milliseconds >= 10 ? String(format: "%.0f ms", milliseconds) : String(format: "%.1f ms", milliseconds)
    }

    /// `2026-12-01` (UTC).
    static func day(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: date)
    }
}
