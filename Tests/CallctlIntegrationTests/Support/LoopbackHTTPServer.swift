import Foundation
import LocalServices

/// A small HTTP server on 127.0.0.1 (python3's http.server) that records every request path,
/// answers `/status/NNN` with that status, `/slow` after 3 s and everything else with 200.
final class LoopbackHTTPServer: Sendable {
    let port: Int
    let pid: pid_t
    private let logPath: String

    init() throws {
        port = try LocalHost.freePort()
        logPath = NSTemporaryDirectory() + "callctl-http-\(UUID().uuidString).log"
        let script = """
        import http.server, sys, time
        class H(http.server.BaseHTTPRequestHandler):
            def handle_one(self):
                with open(sys.argv[2], 'a') as log: log.write(self.command + ' ' + self.path + '\\n')
                if self.path == '/slow': time.sleep(3)
                status = int(self.path.split('/')[2]) if self.path.startswith('/status/') else 200
                body = b'{"ok": true}'
                self.send_response(status)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            do_GET = do_POST = do_HEAD = handle_one
            def log_message(self, *args): pass
        http.server.ThreadingHTTPServer(('127.0.0.1', int(sys.argv[1])), H).serve_forever()
        """
        pid = try CommandRunner.spawnDetached(["python3", "-c", script, "\(port)", logPath])
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if (try? CommandRunner.run(["python3", "-c", "import socket; socket.create_connection(('127.0.0.1', \(port)), 0.2)"]))?.status == 0 { return }
            usleep(50_000)
        }
        throw LocalServiceError("the loopback HTTP server did not start on port \(port)")
    }

    /// Requests received so far, as "METHOD /path" lines.
    var requests: [String] {
        ((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// Stops the server and removes its log.
    func stop() {
        kill(pid, SIGTERM)
        _ = try? CommandRunner.wait(for: pid)
        try? FileManager.default.removeItem(atPath: logPath)
    }
}
