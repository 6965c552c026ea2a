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
}
