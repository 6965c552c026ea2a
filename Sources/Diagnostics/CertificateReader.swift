import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// Reads a TLS server's leaf certificate without trusting it, to tell an expired certificate
/// from an untrusted one after curl refused the handshake.
enum CertificateReader {
    /// The leaf certificate's `notAfter`, or nil when no TLS handshake got that far in `timeout`.
    static func expiry(host: String, port: Int, timeout: Duration) async -> Date? {
        let seen = NIOLockedValueBox<Date?>(nil)
        let serverName = host.first?.isNumber == true || host.contains(":") ? nil : host
        do {
            let context = try NIOSSLContext(configuration: .makeClientConfiguration())
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.milliseconds(Int64(timeout / .milliseconds(1))))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let handler = try NIOSSLClientHandler(context: context, serverHostname: serverName) { chain, promise in
                            if let leaf = chain.first {
                                seen.withLockedValue { $0 = Date(timeIntervalSince1970: TimeInterval(leaf.notValidAfter)) }
                            }
                            // Only the certificate is wanted: end the handshake here.
                            promise.succeed(NIOSSLVerificationResult.failed)
                        }
                        try channel.pipeline.syncOperations.addHandler(handler)
                    }
                }
                .connect(host: host, port: port).get()
            let deadline = ContinuousClock.now + timeout
            while seen.withLockedValue({ $0 }) == nil, channel.isActive, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            try? await channel.close()
        } catch {
            return seen.withLockedValue { $0 }
        }
        return seen.withLockedValue { $0 }
    }
}
