/// A transport address, IP and port, as the address attributes carry it: MAPPED-ADDRESS
/// plainly, XOR-MAPPED-ADDRESS, XOR-RELAYED-ADDRESS and XOR-PEER-ADDRESS obfuscated
/// (RFC 8489 §14.1–§14.2, RFC 8656 §18.3, §18.5).
public struct StunAddress: Hashable, Sendable, CustomStringConvertible {
    /// The IP address.
    public var ip: IPAddress
    /// The port.
    public var port: UInt16

    /// An address from its IP and port.
    public init(ip: IPAddress, port: UInt16) {
        self.ip = ip
        self.port = port
    }

    /// `a.b.c.d:port` for IPv4, `[v6]:port` for IPv6.
    public var description: String {
        ip.family == .ipv4 ? "\(ip):\(port)" : "[\(ip)]:\(port)"
    }

    /// The attribute value: a zero byte, the family, the port, the address; XORed with the
    /// magic cookie (and, for IPv6, the transaction ID after it) when `xor` is set.
    func encoded(xor: Bool, transactionID: TransactionID) -> [UInt8] {
        let mask = xor ? Self.mask(transactionID) : [UInt8](repeating: 0, count: 16)
        var value: [UInt8] = [0, ip.family.rawValue]
        value.appendUInt16(port ^ UInt16(truncatingIfNeeded: xor ? StunMessage.magicCookie >> 16 : 0))
        for (index, byte) in ip.bytes.enumerated() { value.append(byte ^ mask[index]) }
        return value
    }

    /// Reads an attribute value written by `encoded(xor:transactionID:)`.
    init(decoding value: [UInt8], xor: Bool, transactionID: TransactionID,
         type: StunAttributeType) throws(StunDecodingError) {
        guard value.count >= 4 else { throw .badAttributeLength(type, value.count) }
        guard let family = IPAddress.Family(rawValue: value[1]) else {
            throw .unknownAddressFamily(value[1])
        }
        let addressLength = family == .ipv4 ? 4 : 16
        guard value.count == 4 + addressLength else { throw .badAttributeLength(type, value.count) }
        let mask = xor ? Self.mask(transactionID) : [UInt8](repeating: 0, count: 16)
        let bytes = (0..<addressLength).map { value[4 + $0] ^ mask[$0] }
        // `bytes` has 4 or 16 elements by the guard above.
        ip = IPAddress(unchecked: bytes)
        port = value.uint16(at: 2) ^ UInt16(truncatingIfNeeded: xor ? StunMessage.magicCookie >> 16 : 0)
    }

    /// The 16-byte XOR mask: the magic cookie, then the transaction ID.
    private static func mask(_ transactionID: TransactionID) -> [UInt8] {
        var mask: [UInt8] = []
        mask.appendUInt32(StunMessage.magicCookie)
        return mask + transactionID.bytes
    }
}

extension IPAddress {
    /// Wraps bytes the caller has already counted (4 or 16).
    init(unchecked bytes: [UInt8]) {
        self.bytes = bytes
    }
}
