// libFuzzer target: one UDP datagram through the STUN/TURN codec (Sources/ICE), as the
// probes read server answers. Built by scripts/fuzz.sh with `swiftc -sanitize=fuzzer`.
// Invariants: refusals are typed (StunDecodingError); a decoded message that re-encodes
// decodes to the same method, class and transaction id; ChannelData framing never over-reads.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzStunMessage(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let message = try? StunMessage(decoding: bytes), let encoded = try? message.encoded() {
        let again = try? StunMessage(decoding: encoded)
        precondition(again?.method == message.method && again?.messageClass == message.messageClass
                     && again?.transactionID == message.transactionID, "re-encoding changed the header")
    }
    if let frame = try? ChannelData(decoding: bytes) {
        precondition(frame.data.count + 4 <= bytes.count, "ChannelData over-read")
    }
    return 0
}
