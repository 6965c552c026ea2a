/// CRC-32 as FINGERPRINT uses it (RFC 8489 §14.7): the IEEE 802.3 / ISO-HDLC polynomial,
/// reflected (0xEDB88320), initial value and final XOR 0xFFFFFFFF, as zlib's crc32.
enum CRC32 {
    /// The remainder of each byte value, computed once.
    private static let table: [UInt32] = (0..<256).map { index in
        var crc = UInt32(index)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        return crc
    }

    /// The CRC-32 of `bytes`.
    static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = (crc >> 8) ^ table[Int((crc ^ UInt32(byte)) & 0xFF)] }
        return crc ^ 0xFFFF_FFFF
    }
}

/// The FINGERPRINT attribute's value: the CRC-32 of the message before it, with the length
/// field counting the FINGERPRINT attribute, XOR 0x5354554E ("STUN").
enum Fingerprint {
    /// The constant RFC 8489 §14.7 XORs into the CRC.
    static let xorValue: UInt32 = 0x5354_554E

    /// The value for `message`, whose length field the caller has already adjusted.
    static func value(of message: [UInt8]) -> UInt32 {
        CRC32.checksum(message) ^ xorValue
    }
}
