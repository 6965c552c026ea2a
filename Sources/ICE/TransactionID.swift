/// The 96-bit transaction ID of a STUN message (RFC 8489 §6), which pairs a response with
/// its request and, for IPv6, is part of the XOR mask of XOR-MAPPED-ADDRESS.
public struct TransactionID: Hashable, Sendable, CustomStringConvertible {
    /// The ID's length in bytes.
    public static let byteCount = 12

    /// The twelve bytes of the ID.
    public let bytes: [UInt8]

    /// Wraps twelve bytes; `nil` for any other count.
    public init?(bytes: [UInt8]) {
        guard bytes.count == Self.byteCount else { return nil }
        self.bytes = bytes
    }

    /// A fresh ID from the system's cryptographically secure generator, as RFC 8489 §6
    /// asks for requests.
    public static func random() -> TransactionID {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }

    /// An ID from `generator`, for tests that need repeatable IDs.
    public static func random(using generator: inout some RandomNumberGenerator) -> TransactionID {
        TransactionID(unchecked: (0..<byteCount).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    /// Wraps bytes the caller has already counted.
    init(unchecked bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The ID as 24 lowercase hex digits.
    public var description: String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
