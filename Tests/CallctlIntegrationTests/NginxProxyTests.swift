import Foundation
import LocalServices
import Testing

/// deploy/nginx/callctl.conf with a real nginx from Debian, a throwaway self-signed certificate
/// and a real `callctl serve` on loopback: a full call over https from another loopback
/// address (127.0.0.2) with a forged X-Forwarded-For, whose audit rows name the client's real
/// address, the Pusher WebSocket upgraded through the proxy (wss, connection_established), and
/// `diagnose echo --ca-file` passing through it.
@Suite("nginx in front of callctl serve", .serialized)
struct NginxProxyTests {
    static let config = AuthorizationMatrixTests.packageRoot.appendingPathComponent("deploy/nginx/callctl.conf").path

    @Test("a call over https from 127.0.0.2 is audited with 127.0.0.2, not the forged X-Forwarded-For; wss upgrades through nginx")
    func throughNginx() throws {
        let s = try ServeWorld(["--trusted-proxy", "127.0.0.1"])
        let nginx = try ThrowawayNginx(configuration: try String(contentsOfFile: Self.config, encoding: .utf8), upstreamPort: s.server.port)
        defer { nginx.stop() }
        let port = nginx.port
        let certificate = nginx.certificatePath
        let appointment = try s.appointment()
        func call(_ action: String, as user: Int64, callId: String? = nil) throws -> [String: Any] {
            let body = callId.map { "{\"callId\": \"\($0)\"}" } ?? "{}"
            let run = try CommandRunner.run([
                "curl", "-sS", "--interface", "127.0.0.2", "--cacert", certificate, "-X", "POST",
                "-H", "Authorization: Bearer \(try s.token(user))", "-H", "Content-Type: application/json",
                "-H", "X-Forwarded-For: 203.0.113.9", "-d", body, "https://127.0.0.1:\(port)/appointments/\(appointment)/call/\(action)",
            ])
            #expect(run.status == 0, "\(run.output)")
            return (try? JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8))) as? [String: Any] ?? [:]
        }
        let callId = try #require(try call("request", as: s.doctor)["callId"] as? String, "\(nginx.logTail())")
        #expect(try call("accept", as: s.patient, callId: callId)["state"] as? String == "accepted")
        #expect(try call("started", as: s.doctor, callId: callId)["state"] as? String == "in_call")
        #expect(try call("end", as: s.patient, callId: callId)["state"] as? String == "ended")
        let addresses = try s.auditPayloads(appointment).map { $0["ip"] as? String ?? "-" }
        #expect(addresses == ["127.0.0.2", "127.0.0.2", "127.0.0.2", "127.0.0.2"], "\(addresses)")

        let socket = try Self.firstFrame("wss://127.0.0.1:\(port)/app/\(ServeProcess.appKey)?protocol=7", member: "event", certificate: certificate)
        #expect(socket.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "pusher:connection_established", "\(socket.output)")

        // callctl's own diagnosis through the proxy: TLS with the private certificate, the
        // upgrade, channel auth and an event delivered over wss. By name: SwiftNIO's TLS
        // refuses an IP address as the server name (SNI).
        let echo = try CLI.run([
            "diagnose", "echo", "--url", "wss://localhost:\(port)", "--ca-file", certificate,
            "--app-id", ServeProcess.appID, "--app-key", ServeProcess.appKey, "--app-secret", ServeProcess.appSecret,
            "--auth-url", "https://localhost:\(port)/broadcasting/auth", "--token", try s.token(s.patient),
            "--channel", "private-appointments.\(appointment)", "--format", "json",
        ])
        #expect(echo.status == 0, "\(echo.output)")
        let without = try CLI.run([
            "diagnose", "echo", "--url", "wss://localhost:\(port)", "--app-id", ServeProcess.appID, "--app-key", ServeProcess.appKey,
            "--app-secret", ServeProcess.appSecret, "--auth-url", "https://localhost:\(port)/broadcasting/auth",
            "--token", try s.token(s.patient), "--channel", "private-appointments.\(appointment)",
        ])
        #expect(without.status == 1 && without.standardOutput.contains("FAIL  tls"), "without --ca-file the certificate is untrusted: \(without.output)")
    }

    @Test("the PeerJS broker through nginx: wss to /peerjs/peerjs opens an issued peer")
    func brokerThroughNginx() throws {
        let b = try BrokerWorld(["--trusted-proxy", "127.0.0.1"])
        let nginx = try ThrowawayNginx(configuration: try String(contentsOfFile: Self.config, encoding: .utf8), upstreamPort: b.s.server.port)
        defer { nginx.stop() }
        let url = "wss://127.0.0.1:\(nginx.port)/peerjs/peerjs?key=\(ServeProcess.appKey)&id=\(b.peerId("doctor"))&token=\(b.token("doctor"))"
        let socket = try Self.firstFrame(url, member: "type", certificate: nginx.certificatePath)
        #expect(socket.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "OPEN", "\(socket.output)\n\(nginx.logTail())")
    }

    /// Opens `url` over TLS trusting `certificate` (the `websockets` library) and prints `member`
    /// of the first JSON frame the server sends.
    static func firstFrame(_ url: String, member: String, certificate: String) throws -> CommandRunner.Outcome {
        let script = """
            import asyncio, json, ssl, sys, websockets
            async def main():
                context = ssl.create_default_context(cafile=sys.argv[2])
                async with websockets.connect(sys.argv[1], ssl=context) as socket:
                    print(json.loads(await asyncio.wait_for(socket.recv(), 5))[sys.argv[3]])
            asyncio.run(main())
            """
        return try CommandRunner.run([PusherPeer.python, "-c", script, url, certificate, member])
    }
}
