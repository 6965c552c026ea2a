import Foundation
import Testing

/// `callctl serve` against slow and idle clients (slowloris): `--header-timeout` closes a
/// connection whose first request head is not complete in time, `--idle-timeout` closes an
/// idle keep-alive connection, and neither touches an established WebSocket.
@Suite("callctl serve: slow and idle clients", .serialized)
struct ServeSlowClientTests {
    static let healthz = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"

    @Test("--header-timeout 2: half a request line, a half upgrade head or silence is dropped within the timeout")
    func slowHeads() throws {
        let s = try ServeWorld(["--header-timeout", "2", "--idle-timeout", "30"])
        let halfLine = try RawConnection(port: s.server.port)
        halfLine.send("GET /hea")
        let halfUpgrade = try RawConnection(port: s.server.port)
        halfUpgrade.send("GET /app/\(ServeProcess.appKey) HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n")
        let silent = try RawConnection(port: s.server.port)
        for (name, connection) in [("half a request line", halfLine), ("half an upgrade head", halfUpgrade), ("silence", silent)] {
            #expect(connection.awaitClose(within: 6), "\(name): still open after \(connection.age) s")
            #expect(connection.age >= 1.9 && connection.age < 6, "\(name): closed after \(connection.age) s")
            #expect(connection.received.isEmpty, "\(name): \(String(decoding: connection.received, as: UTF8.self))")
        }
        // A head that trickles in but completes within the timeout (0.6 s of 2 s) is answered.
        let prompt = try RawConnection(port: s.server.port)
        for piece in ["GET /hea", "lthz HTTP/1.1\r\n", "Host: 127.0.0.1\r\n", "\r\n"] {
            prompt.send(piece)
            usleep(150_000)
        }
        #expect(prompt.readResponse()?.status == 200, "\(String(decoding: prompt.received, as: UTF8.self))")
        // A client that never sent a head is no server error: nothing is logged at error level.
        let ending = try s.server.stop()
        #expect(ending.status == 0 && !ending.standardError.contains(#""level":"error""#), "\(ending.standardError)")
    }

    @Test("--idle-timeout 2: an idle keep-alive connection is closed after its last response; requests keep it open")
    func idleKeepAlive() throws {
        let s = try ServeWorld(["--idle-timeout", "2"])
        let idle = try RawConnection(port: s.server.port)
        idle.send(Self.healthz)
        #expect(idle.readResponse()?.status == 200)
        let answered = idle.age
        #expect(idle.awaitClose(within: 6), "still open \(idle.age - answered) s after its response")
        #expect(idle.age - answered >= 1.9, "closed \(idle.age - answered) s after its response")

        let busy = try RawConnection(port: s.server.port)
        for round in 1...6 {
            #expect(busy.send(Self.healthz), "round \(round)")
            #expect(busy.readResponse()?.status == 200, "round \(round) after \(busy.age) s")
            usleep(500_000)
        }
        #expect(!busy.closed && busy.age > 2.9, "a connection used every 0.5 s was closed after \(busy.age) s")
    }

    @Test("an established WebSocket outlives --idle-timeout 1 and --header-timeout 1: a ping 3 s later still gets its pong")
    func webSocketsAreExempt() throws {
        let s = try ServeWorld(["--idle-timeout", "1", "--header-timeout", "1"])
        let socket = try RawConnection.webSocket(port: s.server.port)
        usleep(3_000_000)
        #expect(socket.send(WebSocketTestFrame.encode(Array(#"{"event":"pusher:ping","data":{}}"#.utf8))))
        let pong = socket.readFrame()
        #expect(pong?.text.contains("pusher:pong") == true, "\(String(describing: pong?.text)) closed: \(socket.closed)")
    }
}
