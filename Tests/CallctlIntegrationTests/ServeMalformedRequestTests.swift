import Foundation
import Testing

/// `callctl serve` answers what it cannot accept instead of going silent: unparsable HTTP
/// gets `400 bad_request` as JSON with `Connection: close`, and WebSocket handshakes and
/// frames are held to RFC 6455 (426 for another version, 400 without a key, 1002 for an
/// unmasked frame, 1007 for a text frame that is not UTF-8).
@Suite("callctl serve: malformed requests and WebSocket frames", .serialized)
struct ServeMalformedRequestTests {
    /// Records an issue unless `connection` gets `status` with a JSON error of `reason`,
    /// `Connection: close`, and is then closed.
    private func expectRefusal(_ connection: RawConnection, _ status: Int, _ reason: String, _ label: String,
                               sourceLocation: SourceLocation = #_sourceLocation) {
        guard let response = connection.readResponse() else {
            Issue.record("\(label): no response (closed: \(connection.closed)): \(String(decoding: connection.received, as: UTF8.self))",
                         sourceLocation: sourceLocation)
            return
        }
        #expect(response.status == status, "\(label): \(response.status) \(response.text)", sourceLocation: sourceLocation)
        #expect(response.headers["connection"]?.lowercased() == "close", "\(label): \(response.headers)", sourceLocation: sourceLocation)
        #expect(response.headers["content-type"] == "application/json", "\(label): \(response.headers)", sourceLocation: sourceLocation)
        #expect(response.json["reason"] as? String == reason, "\(label): \(response.text)", sourceLocation: sourceLocation)
        #expect((response.json["error"] as? String)?.isEmpty == false, "\(label): \(response.text)", sourceLocation: sourceLocation)
        #expect(connection.awaitClose(within: 5), "\(label): still open after the refusal", sourceLocation: sourceLocation)
    }

    @Test("unknown method, header line without a colon, Content-Length with chunked, a 200 KB header: 400 bad_request as JSON, then closed")
    func malformedHTTP() throws {
        let s = try ServeWorld()
        let requests = [
            ("unknown method", "FROB /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"),
            ("header without a colon", "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nthis line has no colon\r\n\r\n"),
            ("Content-Length with chunked", "POST /broadcasting/auth HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
            ("200 KB header", "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + String(repeating: "a", count: 200 * 1024) + "\r\n\r\n"),
            ("upgrade with a header without a colon", "GET /app/\(ServeProcess.appKey) HTTP/1.1\r\nUpgrade: websocket\r\nno colon\r\n\r\n"),
        ]
        for (label, request) in requests {
            let connection = try RawConnection(port: s.server.port)
            connection.send(request)
            expectRefusal(connection, 400, "bad_request", label)
        }
        // The daemon still serves, and a well-formed request on a fresh connection is answered.
        #expect(try s.server.request("GET", "/healthz").status == 200)
        // A client's bad request is no server error: nothing is logged at error level.
        let ending = try s.server.stop()
        #expect(ending.status == 0 && !ending.standardError.contains(#""level":"error""#), "\(ending.standardError)")
    }

    @Test("a WebSocket upgrade with Sec-WebSocket-Version 8 (or none) is 426 with Sec-WebSocket-Version: 13; without a valid key 400")
    func webSocketHandshake() throws {
        let s = try ServeWorld()
        for version in ["8", "14", nil] {
            let connection = try RawConnection(port: s.server.port)
            connection.send(RawConnection.upgradeRequest(version: version))
            expectRefusal(connection, 426, "upgrade_required", "version \(version ?? "missing")")
        }
        for (label, key) in [("no key", nil), ("a key of 4 bytes", "AAAAAA=="), ("a key that is not base64", "not base64 at all!")] as [(String, String?)] {
            let connection = try RawConnection(port: s.server.port)
            connection.send(RawConnection.upgradeRequest(key: key))
            expectRefusal(connection, 400, "bad_request", label)
        }
        let upgraded = try RawConnection.webSocket(port: s.server.port)
        #expect(!upgraded.closed, "a valid handshake still upgrades")
    }

    @Test("the 426 names the version the server speaks in Sec-WebSocket-Version")
    func versionHeader() throws {
        let s = try ServeWorld()
        let connection = try RawConnection(port: s.server.port)
        connection.send(RawConnection.upgradeRequest(version: "8"))
        let response = try #require(connection.readResponse(), "\(String(decoding: connection.received, as: UTF8.self))")
        #expect(response.status == 426 && response.headers["sec-websocket-version"] == "13", "\(response.headers)")
    }

    @Test("an unmasked client frame closes the WebSocket with 1002; a text frame that is not UTF-8 with 1007")
    func webSocketFrames() throws {
        let s = try ServeWorld()
        let ping = Array(#"{"event":"pusher:ping","data":{}}"#.utf8)
        let masked = try RawConnection.webSocket(port: s.server.port)
        masked.send(WebSocketTestFrame.encode(ping))
        #expect(masked.readFrame()?.text.contains("pusher:pong") == true, "a masked ping is answered")

        let unmasked = try RawConnection.webSocket(port: s.server.port)
        unmasked.send(WebSocketTestFrame.encode(ping, masked: false))
        let refusal = unmasked.readFrame()
        #expect(refusal?.closeCode == 1002, "\(String(describing: refusal?.opcode)) \(String(describing: refusal?.text))")
        #expect(unmasked.awaitClose(within: 5), "still open after an unmasked frame")

        let latin1 = try RawConnection.webSocket(port: s.server.port)
        latin1.send(WebSocketTestFrame.encode([0x7B, 0x22, 0xE9, 0x22, 0x3A, 0xC3, 0x28, 0x7D])) // {"é":Ã(} in Latin-1 bytes
        let close = latin1.readFrame()
        #expect(close?.closeCode == 1007, "\(String(describing: close?.opcode)) \(String(describing: close?.text))")
        #expect(latin1.awaitClose(within: 10), "still open after invalid UTF-8")
    }
}
