/// A Pusher connection identifier such as `1234.1234` (`\d+\.\d+`).
///
/// The server hands one to each connection in `pusher:connection_established`; clients
/// echo it to auth endpoints, and the HTTP API uses it to exclude the sender.
public struct SocketID: Sendable, Hashable, CustomStringConvertible {
    /// Upper bound on the digits of each half, keeping ids short and log-safe.
    public static let maxDigitsPerPart = 20

    /// The textual id, e.g. `"1234.1234"`.
    public let rawValue: String

    /// Validates `rawValue`: two non-empty runs of ASCII digits (each at most
    /// `maxDigitsPerPart` long) separated by a single dot. Returns nil otherwise.
    public init?(_ rawValue: String) {
        let parts = rawValue.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        for part in parts {
            guard !part.isEmpty, part.count <= Self.maxDigitsPerPart,
                  part.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
            else { return nil }
        }
        self.rawValue = rawValue
    }

    /// Generates a fresh random id (two random 1–10 digit numbers) using `generator`.
    public static func random(using generator: inout some RandomNumberGenerator) -> SocketID {
        let first = UInt32.random(in: 1...UInt32.max, using: &generator)
        let second = UInt32.random(in: 1...UInt32.max, using: &generator)
        // Both halves are decimal digits by construction, so validation cannot fail.
        return SocketID("\(first).\(second)")!
    }

    /// Generates a fresh random id using the system's secure random source.
    public static func random() -> SocketID {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }

    /// The textual id.
    public var description: String { rawValue }
}
