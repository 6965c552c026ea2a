/// An IPv4 or IPv6 address, as STUN address attributes carry it.
///
/// Parses and prints text itself (dotted quad; RFC 4291 IPv6 text, printed in the RFC 5952
/// canonical form), so the codec needs no system resolver calls.
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// The address family, with the codes STUN uses on the wire (RFC 8489 §14.1).
    public enum Family: UInt8, Hashable, Sendable {
        /// IPv4: four bytes.
        case ipv4 = 0x01
        /// IPv6: sixteen bytes.
        case ipv6 = 0x02
    }

    /// The address in network byte order: 4 bytes for IPv4, 16 for IPv6.
    public let bytes: [UInt8]

    /// Wraps 4 or 16 bytes; `nil` for any other count.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// Parses a dotted-quad IPv4 address or an IPv6 address (with `::` and an optional
    /// trailing dotted quad; no brackets, no zone). `nil` if `text` is neither.
    public init?(_ text: some StringProtocol) {
        let text = Substring(text)
        if let v4 = Self.parseIPv4(text) {
            bytes = v4
        } else if let v6 = Self.parseIPv6(text) {
            bytes = v6
        } else {
            return nil
        }
    }

    /// Whether the address is IPv4 or IPv6.
    public var family: Family { bytes.count == 4 ? .ipv4 : .ipv6 }

    /// Dotted quad for IPv4; RFC 5952 text for IPv6 (lowercase, the longest run of two or
    /// more zero groups as `::`, IPv4-mapped addresses as `::ffff:a.b.c.d`).
    public var description: String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
            return "::ffff:" + bytes[12...].map(String.init).joined(separator: ".")
        }
        let groups = (0..<8).map { bytes.uint16(at: $0 * 2) }
        var best: Range<Int>? = nil
        var start = 0
        while start < 8 {
            var end = start
            while end < 8, groups[end] == 0 { end += 1 }
            if end - start >= 2, end - start > (best?.count ?? 0) { best = start..<end }
            start = end + 1
        }
        func hex(_ range: Range<Int>) -> String {
            groups[range].map { String($0, radix: 16) }.joined(separator: ":")
        }
        guard let zeros = best else { return hex(0..<8) }
        return hex(0..<zeros.lowerBound) + "::" + hex(zeros.upperBound..<8)
    }

    private static func parseIPv4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var result: [UInt8] = []
        for part in parts {
            // RFC 3986 dec-octet: one to three digits, no leading zero.
            guard (1...3).contains(part.count), part.allSatisfy({ $0.isASCII && $0.isNumber }),
                  part.count == 1 || part.first != "0", let octet = UInt8(part) else { return nil }
            result.append(octet)
        }
        return result
    }

    private static func parseIPv6(_ text: Substring) -> [UInt8]? {
        guard text.count <= 45 else { return nil }
        let head: Substring
        let tail: Substring?
        if let gap = text.firstRange(of: "::") {
            head = text[..<gap.lowerBound]
            tail = text[gap.upperBound...]
        } else {
            head = text
            tail = nil
        }
        guard var front = parseGroups(head, mayEndInIPv4: tail == nil) else { return nil }
        guard let tail else { return front.count == 16 ? front : nil }
        guard let back = parseGroups(tail, mayEndInIPv4: true), front.count + back.count <= 14 else { return nil }
        front += [UInt8](repeating: 0, count: 16 - front.count - back.count)
        return front + back
    }

    /// Colon-separated hex groups as bytes; an empty string is no groups.
    private static func parseGroups(_ text: Substring, mayEndInIPv4: Bool) -> [UInt8]? {
        if text.isEmpty { return [] }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        var result: [UInt8] = []
        for (index, part) in parts.enumerated() {
            if mayEndInIPv4, index == parts.count - 1, let v4 = parseIPv4(part) {
                result += v4
            } else {
                guard (1...4).contains(part.count), part.allSatisfy({ $0.isHexDigit && $0.isASCII }),
                      let group = UInt16(part, radix: 16) else { return nil }
                result.appendUInt16(group)
            }
        }
        return result.count <= 16 ? result : nil
    }
}
