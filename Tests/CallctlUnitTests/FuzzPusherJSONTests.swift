import Foundation
import PusherProtocol
import Testing

/// What the Pusher fuzz suite found in the first `PusherJSON` decoder (JSONDecoder with a
/// `try?` per type, quadratic in nesting depth; first of repeated members kept, the rest
/// unchecked; deep values re-encoded as null), now each a plain test of the linear parser.
@Suite("Fuzz: Pusher JSON parser")
struct FuzzPusherJSONTests {
    static let suite = "Pusher JSON parser"

    /// `{"event":"e","data":[[…]]}` with `depth` nested arrays (2·depth + 22 bytes).
    static func nestedArrays(_ depth: Int) -> String {
        #"{"event":"e","data":"# + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}"
    }

    @Test("nesting: 255 levels of data parse, deeper frames are refused as malformedJSON at once (a 10 KB frame costs microseconds)")
    func nestingCost() throws {
        let run = FuzzRun(Self.suite, "nesting cost", cases: 3)
        defer { run.finish(budget: .seconds(5)) }
        let start = ContinuousClock.now
        #expect(try PusherMessage.decode(Self.nestedArrays(255)).event == "e")
        #expect(ContinuousClock.now - start < .milliseconds(50))
        for depth in [256, 5_000] {
            let frame = Self.nestedArrays(depth)
            let start = ContinuousClock.now
            #expect(throws: PusherMessageError.malformedJSON) { try PusherMessage.decode(frame) }
            #expect(ContinuousClock.now - start < .milliseconds(50), "a \(frame.utf8.count)-byte frame nested \(depth) deep")
        }
    }

    @Test("what decodes re-encodes: a data string too deep to unwrap stays the string, never null")
    func deepDataReencode() throws {
        let run = FuzzRun(Self.suite, "deep data re-encode", cases: 1)
        defer { run.finish(budget: .seconds(5)) }
        let depth = 512
        let inner = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        let message = try PusherMessage.decode(#"{"event":"e","data":""# + inner + #""}"#)
        #expect(message.data == .string(inner))
        #expect(!message.encoded().contains(#""data":"null""#))
    }

    @Test("a repeated member name: the last one counts, as in JSON.parse, PHP and JSONSerialization; invalid ones are refused")
    func repeatedMembers() throws {
        let run = FuzzRun(Self.suite, "repeated members", cases: 3)
        defer { run.finish(budget: .seconds(5)) }
        let frame = #"{"event":"client-a","channel":"private-x","channel":"private-y"}"#
        let object = try JSONSerialization.jsonObject(with: Data(frame.utf8)) as? [String: Any]
        #expect(object?["channel"] as? String == "private-y")
        #expect(try PusherMessage.decode(frame).channel == "private-y")
        for invalid in [#"{"event":"e","data":"x","data":"\:"}"#, "{\"event\":\"e\",\"data\":\"x\",\"data\":\"\u{1D}\"}"] {
            #expect(throws: (any Error).self) { try JSONSerialization.jsonObject(with: Data(invalid.utf8)) }
            #expect(throws: PusherMessageError.malformedJSON) { try PusherMessage.decode(invalid) }
        }
    }

    @Test("the parser agrees with JSONSerialization on valid values and refuses what it refuses")
    func agreesWithFoundation() throws {
        let valid = [
            #"{"a":[1,-0,2.5,1e3,-1.5E-3,true,false,null],"b":{"c":"\u00e9\ud83e\udd80\n\t\"\\\/"}}"#,
            #"  [ ]  "#, #"{}"#, #""x""#, "9223372036854775807", "9223372036854775808", "0.1", #"{"k":"é🦀"}"#,
        ]
        for text in valid {
            let ours = try #require(PusherJSON(parsing: Array(text.utf8)), "\(text)")
            let theirs = try JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed)
            let reparsed = try JSONSerialization.jsonObject(with: Data(ours.jsonString.utf8), options: .fragmentsAllowed)
            #expect(NSDictionary(dictionary: ["v": theirs]).isEqual(to: ["v": reparsed]), "\(text) → \(ours.jsonString)")
        }
        let invalid = ["", "[", "[1,]", "{\"a\"}", "{\"a\":1,}", "01", "1.", ".5", "-", "1e", "+1", "tru", "nul", "[1] x",
                       #""\ud800""#, #""\udc00""#, #""\x""#, "\"a\u{1}\"", "1e400", "'a'", #"{a:1}"#, "NaN"]
        for text in invalid {
            #expect(PusherJSON(parsing: Array(text.utf8)) == nil, "\(text) was accepted")
        }
        #expect(PusherJSON(parsing: [0x22, 0xFF, 0x22]) == nil)
        #expect(PusherJSON(parsing: Array("9223372036854775807".utf8)) == .integer(Int.max))
        #expect(PusherJSON(parsing: Array("9223372036854775808".utf8)) == .number(9_223_372_036_854_775_808))
        #expect(PusherJSON(parsing: Array("[1.0,1e3,-0.0,0.5]".utf8)) == .array([.integer(1), .integer(1000), .integer(0), .number(0.5)]))
    }
}
