// libFuzzer target: one WebSocket text frame through the hub's Pusher message decoder
// (Sources/PusherProtocol). Built by scripts/fuzz.sh with `swiftc -sanitize=fuzzer`.
// Invariants, beyond "no crash, no hang": a refusal is one of the documented PusherMessageError
// cases, consistent with the frame's size; what decodes re-encodes to a frame that decodes (a
// refusal of the re-encoded frame fails) to the same message.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPusherFrame(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let frame = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        let message = try PusherMessage.decode(frame)
        precondition(frame.count <= PusherMessage.defaultMaxBytes && !message.event.isEmpty)
        // Re-decoding has its own catch: a refusal here is a failed invariant, not a refusal of the input.
        let again: PusherMessage
        do { again = try PusherMessage.decode(message.encoded(), maxBytes: .max) } catch {
            preconditionFailure("the re-encoded frame was refused: \(error)")
        }
        precondition(again.event == message.event && again.channel == message.channel, "re-encoding changed the message")
        switch message.data {
        case .object, .array, .null: precondition(again.data == message.data, "re-encoding changed the data")
        default: break
        }
    } catch {
        // An exhaustive switch: a refusal the decoder does not document does not compile.
        switch error {
        case .tooLarge(let bytes, let limit):
            precondition(bytes == frame.count && bytes > limit)
        case .malformedJSON, .notAnObject, .missingEvent, .invalidChannel:
            precondition(frame.count <= PusherMessage.defaultMaxBytes)
        }
    }
    return 0
}
