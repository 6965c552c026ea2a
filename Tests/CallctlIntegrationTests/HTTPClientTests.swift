import Foundation
import HTTPClient
import LocalServices
import Testing

@Suite("libcurl wrapper against a loopback server", .serialized)
struct HTTPClientTests {
    @Test("GET and POST return status, headers, body and curl's timings in order")
    func roundTrip() throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let response = try HTTPClient.send(HTTPRequest(url: "http://127.0.0.1:\(server.port)/hello"))
        #expect(response.status == 200)
        #expect(response.headers["content-type"] == "application/json")
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"ok": true}"#)
        let timings = response.timings
        #expect(timings.connect >= timings.dns && timings.firstByte >= timings.connect && timings.total >= timings.firstByte)
        #expect(response.certificateExpiry == nil)
        let posted = try HTTPClient.send(HTTPRequest(method: "POST", url: "http://127.0.0.1:\(server.port)/status/422",
                                                     headers: [("Content-Type", "application/json")], body: Data("{}".utf8)))
        #expect(posted.status == 422)
        #expect(server.requests == ["GET /hello", "POST /status/422"])
    }

    @Test("refused connections and timeouts are errors that name the URL without its query")
    func failures() throws {
        let closedPort = try LocalHost.freePort()
        #expect {
            try HTTPClient.send(HTTPRequest(url: "http://127.0.0.1:\(closedPort)/ping?token=s3cret"))
        } throws: { error in
            let text = "\(error)"
            return text.contains("127.0.0.1:\(closedPort)/ping") && !text.contains("s3cret")
        }
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let started = ContinuousClock.now
        #expect(throws: HTTPClientError.self) {
            try HTTPClient.send(HTTPRequest(url: "http://127.0.0.1:\(server.port)/slow", timeout: .milliseconds(300)))
        }
        // The server answers /slow after 30 s: giving up at the 300 ms timeout is anything well short of that.
        #expect(ContinuousClock.now - started < .seconds(15))
    }
}
