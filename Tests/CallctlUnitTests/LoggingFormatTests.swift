@testable import CallctlCommands
import Foundation
import Logging
import Testing

@Suite("Log line formats")
struct LoggingFormatTests {
    private let date = Date(timeIntervalSince1970: 1_795_244_601.5)

    @Test("JSON lines carry level, message and metadata as fields")
    func json() throws {
        let line = CallctlLogHandler.render(level: .warning, message: "applied \"x\"", metadata: ["version": "3", "tags": ["a", "b"]],
                                            label: "callctl.migrate", json: true, at: date)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["level"] as? String == "warning")
        #expect(object["msg"] as? String == "applied \"x\"")
        #expect(object["logger"] as? String == "callctl.migrate")
        #expect(object["version"] as? String == "3")
        #expect(object["tags"] as? [String] == ["a", "b"])
        #expect(object["ts"] as? String == "2026-11-21T07:03:21.500000Z")
        #expect(!line.contains("\n"))
    }

    @Test("human lines are one line with sorted key=value fields")
    func human() {
        let line = CallctlLogHandler.render(level: .info, message: "applied migration", metadata: ["version": "3", "name": "outbox"],
                                            label: "callctl", json: false, at: date)
        #expect(line == "2026-11-21T07:03:21.500Z INFO    applied migration name=outbox version=3")
    }

    /// Text a client controls (a channel name, a header, a peer id) carrying a forged log line,
    /// terminal escapes (ESC and the 8-bit CSI), a NUL, DEL and a Unicode line separator.
    static let hostile = "x\n2026-11-21T07:03:21.500Z ERROR   forged\r\u{1B}[31mred\u{1B}]0;title\u{07}\t\u{0}\u{7F}\u{9B}2J\u{85}\u{2028}end"

    /// True when `line` holds a scalar that ends a line or drives a terminal.
    static func hasControls(_ line: String) -> Bool {
        line.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0 == "\u{2028}" || $0 == "\u{2029}" }
    }

    @Test("human lines write controls in the message and metadata visibly: one line, no terminal escapes")
    func humanEscapesControls() {
        let line = CallctlLogHandler.render(level: .info, message: "subscribe \(Self.hostile)",
                                            metadata: ["channel": .string(Self.hostile), "list": [.string("a\nb")], "k\ney": "v"],
                                            label: "callctl", json: false, at: date)
        #expect(!Self.hasControls(line), "\(line.debugDescription)")
        #expect(line.hasPrefix("2026-11-21T07:03:21.500Z INFO    subscribe x\\n2026-11-21T07:03:21.500Z ERROR   forged\\r\\u{1B}[31mred"),
                "\(line.debugDescription)")
        #expect(line.contains("channel=x\\n2026"), "\(line.debugDescription)")
        #expect(line.contains("\\u{1B}]0;title\\u{7}\\t\\u{0}\\u{7F}\\u{9B}2J\\u{85}\\u{2028}end"), "\(line.debugDescription)")
        #expect(line.contains("k\\ney=v") && line.contains(#"list=["a\nb"]"#), "\(line.debugDescription)")
        // Text without controls is left exactly as it was, backslashes and non-ASCII included.
        let plain = CallctlLogHandler.render(level: .info, message: "App\\Events\\Ended é 🩺", metadata: ["name": "Zoë"],
                                             label: "callctl", json: false, at: date)
        #expect(plain == "2026-11-21T07:03:21.500Z INFO    App\\Events\\Ended é 🩺 name=Zoë")
    }

    @Test("JSON lines escape every control, C1 and U+2028 included, and decode to the original text")
    func jsonEscapesControls() throws {
        let line = CallctlLogHandler.render(level: .info, message: Self.hostile, metadata: ["channel": .string(Self.hostile)],
                                            label: "callctl", json: true, at: date)
        #expect(!Self.hasControls(line), "\(line.debugDescription)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["msg"] as? String == Self.hostile)
        #expect(object["channel"] as? String == Self.hostile)
    }
}
