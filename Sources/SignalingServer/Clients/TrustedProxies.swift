import Foundation
import HTTPTypes
import ICE

/// The reverse proxies whose `X-Forwarded-For` is believed (`--trusted-proxy`), as address
/// ranges in CIDR notation. Every other peer's header is ignored: anyone can send one.
public struct TrustedProxies: Sendable, Equatable {
    /// One range: the first `prefixLength` bits of `network`.
    public struct Range: Sendable, Equatable, CustomStringConvertible {
        let network: IPAddress
        let prefixLength: Int

        /// Parses `10.0.0.0/8`, `::1/128` or a single address (`127.0.0.1`, a /32 or /128).
        public init?(parsing text: String) {
            let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            guard let address = IPAddress(parts[0]) else { return nil }
            let width = address.bytes.count * 8
            if parts.count == 2 {
                guard let length = Int(parts[1]), (0...width).contains(length), parts[1].allSatisfy(\.isASCII) else { return nil }
                prefixLength = length
            } else {
                prefixLength = width
            }
            network = address
        }

        /// Whether `address` is inside the range (IPv4 and IPv6 never match each other).
        public func contains(_ address: IPAddress) -> Bool {
            guard address.bytes.count == network.bytes.count else { return false }
            var remaining = prefixLength
            for (a, b) in zip(address.bytes, network.bytes) where remaining > 0 {
                let bits = min(remaining, 8)
                let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
                guard a & mask == b & mask else { return false }
                remaining -= bits
            }
            return true
        }

        public var description: String { "\(network)/\(prefixLength)" }
    }

    /// The ranges.
    public let ranges: [Range]

    /// No proxy is trusted: the socket's peer is always the client.
    public static let none = TrustedProxies(ranges: [])

    /// Creates the list.
    public init(ranges: [Range]) {
        self.ranges = ranges
    }

    /// Whether `address` is a trusted proxy.
    public func trusts(_ address: IPAddress) -> Bool {
        ranges.contains { $0.contains(address) }
    }

    /// The client's address: the socket's `peer`, or, when the peer is a trusted proxy, the
    /// right-most address of `forwardedFor` (all `X-Forwarded-For` values, in order) that is
    /// not itself a trusted proxy. The right-most entries are the ones trusted proxies
    /// appended; what lies left of the first untrusted one was written by the client and
    /// proves nothing. A malformed entry stops the walk at the last good address.
    public func clientAddress(peer: String?, forwardedFor: [String]) -> String? {
        guard let peer, let peerAddress = IPAddress(peer), trusts(peerAddress) else { return peer }
        let entries = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        var client = peer
        for entry in entries.reversed() {
            guard let address = IPAddress(entry) else { break }
            client = address.description
            guard trusts(address) else { break }
        }
        return client
    }
}


extension HTTPField.Name {
    /// `X-Forwarded-For`, set by reverse proxies.
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
}
