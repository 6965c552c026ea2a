// libFuzzer target: one WebSocket text frame through the hub's Pusher message decoder
// (Sources/PusherProtocol). Built by scripts/fuzz.sh with `swiftc -sanitize=fuzzer`.
// Invariants, beyond "no crash, no hang": a refusal is a PusherMessageError and consistent
// with the frame's size; what decodes re-encodes to a frame that decodes to the same message.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPusherFrame(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let frame = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        let message = try PusherMessage.decode(frame)
        precondition(frame.count <= PusherMessage.defaultMaxBytes && !message.event.isEmpty)
        let again = try PusherMessage.decode(message.encoded(), maxBytes: .max)
        precondition(again.event == message.event && again.channel == message.channel, "re-encoding changed the message")
        switch message.data {
        case .object, .array, .null: precondition(again.data == message.data, "re-encoding changed the data")
        default: break
        }
    } catch .tooLarge(let bytes, let limit) {
        precondition(bytes == frame.count && bytes > limit)
    } catch {
        precondition(frame.count <= PusherMessage.defaultMaxBytes)
    }
    return 0
}
