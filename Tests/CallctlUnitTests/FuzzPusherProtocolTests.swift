import Foundation
import PusherProtocol
import Testing

/// Hostile WebSocket frames and protocol strings: the decoder refuses with a
/// `PusherMessageError` (the right one) or returns a message that holds together.
@Suite("Fuzz: Pusher protocol decoding")
struct FuzzPusherProtocolTests {
    static let suite = "Pusher protocol"
    static let seeds: [[UInt8]] = ([
        #"{"event":"pusher:subscribe","data":{"channel":"private-a","auth":"k:abc"}}"#,
        #"{"event":"pusher:subscribe","data":"{\"channel\":\"presence-r\",\"auth\":\"k:abc\",\"channel_data\":\"{\\\"user_id\\\":7}\"}"}"#,
        #"{"event":"client-typing","channel":"private-a","data":"hello"}"#,
        #"{"event":"pusher:ping","data":{}}"#,
        #"{"event":"pusher:signin","data":{"auth":"k:s","user_data":"{\"id\":\"1\",\"n\":[1,2.5,-3e2,true,null]}"}}"#,
    ] as [String]).map { Array($0.utf8) }

    enum Outcome { case decoded, refused(PusherMessageError) }

    /// Decodes `bytes` and checks the outcome against an independent reading of the same
    /// bytes with `JSONSerialization`.
    @discardableResult
    static func probe(_ bytes: [UInt8], maxBytes: Int = PusherMessage.defaultMaxBytes) -> Outcome {
        do {
            let message = try PusherMessage.decode(bytes, maxBytes: maxBytes)
            #expect(bytes.count <= maxBytes)
            #expect(!message.event.isEmpty)
            let object = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) as? [String: Any]
            #expect((object?["event"] as? String) == message.event,
                    "decoded a frame that is not an object with that event: \(String(decoding: bytes, as: UTF8.self).debugDescription)")
            // What decodes re-encodes to a frame that decodes to the same event, channel and structured data.
            let again = try? PusherMessage.decode(message.encoded(), maxBytes: .max)
            #expect(again?.event == message.event && again?.channel == message.channel, "\(message) re-encoded as \(message.encoded())")
            switch message.data {
            case .object, .array, .null: #expect(again?.data == message.data)
            default: break
            }
            return .decoded
        } catch {
            // `error` is statically a PusherMessageError (typed throws); check it is the right one.
            if bytes.count > maxBytes {
                #expect(error == .tooLarge(bytes: bytes.count, limit: maxBytes))
            } else {
                let parsed = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
                switch error {
                case .tooLarge:
                    Issue.record("tooLarge for \(bytes.count) bytes under the \(maxBytes)-byte limit")
                case .notAnObject:
                    #expect(parsed != nil && !(parsed is [String: Any]), "notAnObject for \(String(decoding: bytes, as: UTF8.self))")
                case .missingEvent:
                    let event = (parsed as? [String: Any])?["event"] as? String
                    #expect(parsed is [String: Any] && (event ?? "").isEmpty, "missingEvent for \(String(decoding: bytes, as: UTF8.self))")
                case .invalidChannel:
                    let channel = (parsed as? [String: Any])?["channel"]
                    #expect(channel != nil && !(channel is String) && !(channel is NSNull))
                case .malformedJSON:
                    // Foundation, the independent reading, must refuse it too, unless the frame
                    // breaks a rule of PusherJSONParser that is stricter than Foundation's.
                    #expect(parsed == nil || Self.breaksStricterRule(bytes),
                            "malformedJSON for JSON Foundation reads: \(String(decoding: bytes, as: UTF8.self).debugDescription)")
                }
            }
            return .refused(error)
        }
    }

    /// Whether `bytes` break one of PusherJSONParser's documented rules that Foundation does not
    /// enforce: nesting deeper than 256, a number that overflows a Double, a surrogate `\u` escape,
    /// a trailing comma before `}` or `]` (RFC 8259 has none; Foundation accepts one), text after
    /// a NUL byte (Foundation stops reading there; no text may follow the value).
    static func breaksStricterRule(_ bytes: [UInt8]) -> Bool {
        var depth = 0
        var deepest = 0
        for byte in bytes {
            if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") { depth += 1 }
            if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") { depth -= 1 }
            deepest = max(deepest, depth)
        }
        let text = String(decoding: bytes, as: UTF8.self)
        return deepest > 256 || text.contains(/\\u[dD][89a-fA-F][0-9a-fA-F]{2}/) || text.contains(/[0-9][eE][+-]?[0-9]{3,}|[0-9]{309,}/)
            || text.contains(/,\s*[}\]]/) || bytes.contains(0)
    }

    @Test("the kept libFuzzer inputs: fuzz/corpus/pusher-frame decodes, fuzz/regressions/pusher-frame holds together")
    func keptInputs() throws {
        let corpus = try FuzzKeptInputs.corpus("pusher-frame")
        #expect(!corpus.isEmpty)
        for input in corpus {
            guard case .decoded = Self.probe(input.bytes) else { Issue.record("\(input) is a seed that does not decode"); continue }
        }
        for input in try FuzzKeptInputs.regressions("pusher-frame") { Self.probe(input.bytes) }
    }

    @Test("mutated valid frames (seed 0x9057, base 6,000)")
    func mutatedFrames() {
        var run = FuzzRun(Self.suite, "mutated frames", seed: 0x9057, base: 6_000)
        var decoded = 0
        var kinds: Set<String> = []
        for iteration in 0..<run.iterations {
            let bytes = Fuzz.mutate(Self.seeds[iteration % Self.seeds.count], using: &run.generator)
            switch Self.probe(bytes) {
            case .decoded: decoded += 1
            case .refused(let error): kinds.insert("\(error)".prefix(24).description)
            }
        }
        run.finish(budget: .seconds(20))
        // Both outcomes happen: mutations that still decode, and refusals of several kinds.
        #expect(decoded > run.iterations / 60 && decoded < run.iterations * 59 / 60, "\(decoded) of \(run.iterations) decoded")
        #expect(kinds.count >= 3, "\(kinds)")
    }

    @Test("random bytes and random text of every length up to 300 bytes (seed 42, base 1,800)")
    func randomInput() throws {
        // Six inputs per length (five byte strings, one text); the scale repeats the lengths.
        var run = FuzzRun(Self.suite, "random input", seed: 42, base: 1_800)
        for round in 0..<(run.iterations / 6) {
            let length = round % 300
            for _ in 0..<5 {
                Self.probe(Fuzz.randomBytes(count: length, using: &run.generator))
            }
            let text = Fuzz.randomString(from: Fuzz.awkwardAlphabet, maxLength: length, using: &run.generator)
            do {
                _ = try PusherMessage.decode(text, maxBytes: 200)
                #expect(text.utf8.count <= 200)
            } catch {
                if text.utf8.count > 200 { #expect(error == .tooLarge(bytes: text.utf8.count, limit: 200)) }
            }
            Self.probe(Array(text.utf8), maxBytes: 200)
        }
        run.finish(budget: .seconds(20))
    }

    @Test("the size limit: refused unparsed above it, by exact byte count, at any limit (seed 7, base 500)")
    func sizeLimit() throws {
        var run = FuzzRun(Self.suite, "size limits", seed: 7, base: 500)
        let frame = Self.seeds[0]
        for _ in 0..<run.iterations {
            let limit = Int.random(in: 0...(frame.count + 5), using: &run.generator)
            let outcome = Self.probe(frame, maxBytes: limit)
            if limit >= frame.count, case .refused(let error) = outcome { Issue.record("refused under its limit: \(error)") }
        }
        // A megabyte of garbage is refused as too large, not as malformed (it is never parsed).
        let huge = [UInt8](repeating: UInt8(ascii: "["), count: 1 << 20)
        let start = ContinuousClock.now
        #expect(throws: PusherMessageError.tooLarge(bytes: 1 << 20, limit: PusherMessage.defaultMaxBytes)) {
            try PusherMessage.decode(huge)
        }
        #expect(ContinuousClock.now - start < .seconds(1))
        // The limit counts UTF-8 bytes, not characters.
        let wide = #"{"event":"e","data":""# + String(repeating: "é", count: 6_000) + #""}"#
        #expect(throws: PusherMessageError.tooLarge(bytes: wide.utf8.count, limit: PusherMessage.defaultMaxBytes)) {
            try PusherMessage.decode(wide)
        }
        #expect(throws: PusherMessageError.tooLarge(bytes: 1, limit: 0)) { try PusherMessage.decode([UInt8(ascii: " ")], maxBytes: 0) }
        #expect(throws: PusherMessageError.tooLarge(bytes: 0, limit: -1)) { try PusherMessage.decode([UInt8](), maxBytes: -1) }
        run.finish(budget: .seconds(10))
    }

    @Test("deep nesting up to the 10 KB limit, in the frame and inside a data string")
    func deepNesting() throws {
        let run = FuzzRun(Self.suite, "deep nesting", cases: 40)
        defer { run.finish(budget: .seconds(10)) }
        for depth in [1, 64, 128, 200, 254, 255, 256, 300, 511, 512, 513, 1_000, 2_000, 5_000, 6_000] {
            let arrays = #"{"event":"e","data":"# + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}"
            let objects = #"{"event":"e","data":"# + String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth) + "}"
            let inString = #"{"event":"e","data":""# + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + #""}"#
            let asEvent = #"{"event":"# + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}"
            for frame in [arrays, objects, inString, asEvent] {
                let bytes = Array(frame.utf8)
                switch Self.probe(bytes) {
                case .decoded:
                    #expect(frame != asEvent, "an array event decoded")
                case .refused(let error):
                    // Only the size limit or the JSON parser's depth limit may refuse well-formed nesting.
                    let allowed: [PusherMessageError] = bytes.count > PusherMessage.defaultMaxBytes
                        ? [.tooLarge(bytes: bytes.count, limit: PusherMessage.defaultMaxBytes)]
                        : frame == asEvent ? [.missingEvent, .malformedJSON] : [.malformedJSON]
                    #expect(allowed.contains(error), "depth \(depth): \(error)")
                    if frame != asEvent, depth < 256, bytes.count <= PusherMessage.defaultMaxBytes {
                        Issue.record("depth \(depth) refused: \(error)")
                    }
                }
            }
        }
    }

    @Test("huge, tiny and non-integral numbers as event, channel and data")
    func hugeNumbers() throws {
        let run = FuzzRun(Self.suite, "huge numbers", cases: 13 * 3)
        defer { run.finish(budget: .seconds(5)) }
        let numbers = ["0", "-0", "1e400", "-1e400", "1e-400", "0.1e99999999999", String(repeating: "9", count: 400),
                       "9223372036854775807", "9223372036854775808", "-9223372036854775809", "1.0", "1.5", "123456789.123456789e-5"]
        for number in numbers {
            // A number is never an event name, never a channel; as data it is kept or the frame is malformed.
            #expect(throws: PusherMessageError.self) { try PusherMessage.decode(#"{"event":\#(number)}"#) }
            if case .refused(let error) = Self.probe(Array(#"{"event":\#(number)}"#.utf8)) {
                #expect(error == .missingEvent || error == .malformedJSON, "\(number): \(error)")
            }
            switch Self.probe(Array(#"{"event":"e","channel":\#(number)}"#.utf8)) {
            case .decoded: Issue.record("numeric channel \(number) accepted")
            case .refused(let error): #expect(error == .invalidChannel || error == .malformedJSON, "\(number): \(error)")
            }
            switch Self.probe(Array(#"{"event":"e","data":[\#(number)]}"#.utf8)) {
            case .decoded: break
            case .refused(let error): #expect(error == .malformedJSON, "\(number): \(error)")
            }
        }
    }

    @Test("ChannelAuthSignature splits at the colon byte, also when a combining mark fuses with the colon")
    func authColonGrapheme() {
        let run = FuzzRun(Self.suite, "auth colon graphemes", cases: 6)
        defer { run.finish(budget: .seconds(5)) }
        let fused = "app-key:\u{301}0123abcd"
        #expect(fused.firstIndex(of: ":") == nil, "':' and U+0301 are one Character, so a Character search misses the colon")
        let split = ChannelAuthSignature(auth: fused)
        #expect(split?.key == "app-key" && split?.signature == "\u{301}0123abcd" && split?.auth == fused)
        #expect(ChannelAuthSignature(auth: "k\u{301}:s") == ChannelAuthSignature(key: "k\u{301}", signature: "s"))
        #expect(ChannelAuthSignature(auth: "k:\u{301}") == ChannelAuthSignature(key: "k", signature: "\u{301}"))
        #expect(ChannelAuthSignature(auth: ":\u{301}x") == nil)
        // A valid auth with a mark fused onto its colon is refused, not split at a later colon.
        let app = PusherApp(id: "1", key: "app-key", secret: "app-secret")
        let good = ChannelAuthSignature.channel(app: app, socketID: "1.2", channel: "private-a")
        #expect(ChannelAuthSignature.verifyChannel(auth: good.auth, app: app, socketID: "1.2", channel: "private-a"))
        #expect(!ChannelAuthSignature.verifyChannel(auth: "app-key:\u{301}" + good.signature, app: app, socketID: "1.2", channel: "private-a"))
    }

    @Test("SocketID, PusherChannelName, ChannelAuthSignature and PresenceMember on hostile strings (seed 0x50C, base 4,000 each)")
    func protocolStrings() throws {
        var run = FuzzRun(Self.suite, "protocol strings", seed: 0x50C, base: 4_000)
        let digitsHeavy: [Character] = Array("0123456789..") + ["a", " ", "\u{0}", "\u{301}", "٣", "-", "+"]
        var accepted = (socket: 0, channel: 0, auth: 0, member: 0)
        for _ in 0..<run.iterations {
            // SocketID: exactly two runs of 1–20 ASCII digits joined by one dot.
            let socket = Fuzz.randomString(from: digitsHeavy, maxLength: 44, using: &run.generator)
            let parts = socket.unicodeScalars.split(separator: ".", omittingEmptySubsequences: false)
            let socketValid = parts.count == 2 && parts.allSatisfy { part in
                (1...20).contains(part.count) && part.allSatisfy { $0.value >= 0x30 && $0.value <= 0x39 }
            }
            #expect((SocketID(socket) != nil) == socketValid, "SocketID(\(socket.debugDescription))")
            if let id = SocketID(socket) { accepted.socket += 1; #expect(id.rawValue == socket) }

            // PusherChannelName: 1–164 bytes of A-Z a-z 0-9 _ - = @ , . ; with the kind from the prefix.
            let prefix = ["", "private-", "private-encrypted-", "presence-", "presence", "private-encrypted"].randomElement(using: &run.generator)!
            let name = prefix + Fuzz.randomString(from: Array("abcXYZ09_-=@,.;") + ["é", "\u{0}", " ", "/", "\u{301}"],
                                                   maxLength: Bool.random(using: &run.generator) ? 12 : 200, using: &run.generator)
            let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-=@,.;".unicodeScalars)
            let nameValid = !name.isEmpty && name.utf8.count <= 164 && name.unicodeScalars.allSatisfy(allowed.contains)
            let channel = PusherChannelName(name)
            #expect((channel != nil) == nameValid, "PusherChannelName(\(name.debugDescription))")
            if let channel {
                accepted.channel += 1
                let expected: ChannelKind = name.hasPrefix("private-encrypted-") ? .privateEncrypted
                    : name.hasPrefix("private-") ? .private : name.hasPrefix("presence-") ? .presence : .public
                #expect(channel.kind == expected && channel.rawValue == name)
            }

            // ChannelAuthSignature: split at the first colon; neither side empty; nothing lost.
            let auth = Fuzz.randomString(from: Fuzz.awkwardAlphabet + [":", ":", "k", "f"], maxLength: 24, using: &run.generator)
            if let signature = ChannelAuthSignature(auth: auth) {
                accepted.auth += 1
                #expect(!signature.key.isEmpty && !signature.signature.isEmpty)
                #expect(signature.auth == auth, "\(auth.debugDescription) split into \(signature)")
                #expect(!signature.key.unicodeScalars.contains(":"), "key of \(auth.debugDescription) holds a colon: \(signature.key.debugDescription)")
            } else {
                let colon = auth.unicodeScalars.firstIndex(of: ":")
                let splittable = colon.map { auth.unicodeScalars[..<$0].count > 0 && auth.unicodeScalars[auth.unicodeScalars.index(after: $0)...].count > 0 } ?? false
                #expect(!splittable, "ChannelAuthSignature(auth: \(auth.debugDescription)) refused")
            }

            // PresenceMember: user_id a non-empty string or an integer; user_info carried as is.
            let base = Array(#"{"user_id":"7","user_info":{"name":"Ada","tags":[1,2]}}"#.utf8)
            let channelData = String(decoding: Bool.random(using: &run.generator) ? Fuzz.mutate(base, using: &run.generator)
                                         : Fuzz.randomBytes(count: Int.random(in: 0...40, using: &run.generator), using: &run.generator), as: UTF8.self)
            let json = PusherJSON(parsing: Array(channelData.utf8))
            let member = PresenceMember(channelData: channelData)
            switch json?["user_id"] {
            case .string(let id)? where !id.isEmpty:
                #expect(member?.userID == id && member?.userInfo == json?["user_info"])
            case .integer(let id)?:
                #expect(member?.userID == String(id) && member?.userInfo == json?["user_info"])
            default:
                #expect(member == nil, "PresenceMember(channelData: \(channelData.debugDescription)) = \(String(describing: member))")
            }
            if member != nil { accepted.member += 1 }
        }
        run.finish(budget: .seconds(20))
        #expect(accepted.socket > 5 && accepted.channel > 200 && accepted.auth > 200 && accepted.member > 100, "\(accepted)")
    }
}
