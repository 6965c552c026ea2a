/// Big-endian reading and writing over byte arrays, shared by the codecs in this module.
///
/// Readers take an index the caller has already checked: every decoder checks a length
/// before it reads, so these never see an index past the end.
extension Array where Element == UInt8 {
    mutating func appendUInt16(_ value: UInt16) {
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value))
    }

    mutating func appendUInt32(_ value: UInt32) {
        appendUInt16(UInt16(truncatingIfNeeded: value >> 16))
        appendUInt16(UInt16(truncatingIfNeeded: value))
    }

    /// Overwrites two bytes at `index` with `value`, big-endian.
    mutating func setUInt16(_ value: UInt16, at index: Int) {
        self[index] = UInt8(truncatingIfNeeded: value >> 8)
        self[index + 1] = UInt8(truncatingIfNeeded: value)
    }

    func uint16(at index: Int) -> UInt16 {
        UInt16(self[index]) << 8 | UInt16(self[index + 1])
    }

    func uint32(at index: Int) -> UInt32 {
        UInt32(uint16(at: index)) << 16 | UInt32(uint16(at: index + 2))
    }
}

/// The number of zero bytes that pad `length` up to a multiple of four.
func paddingLength(_ length: Int) -> Int {
    (4 - length % 4) % 4
}
