import Foundation
import LocalServices

/// A small HTTP server on 127.0.0.1 (python3's http.server) that records every request with
/// its body, answers `/status/NNN` with that status, `/slow` after 30 s and everything else with
/// 200 and `{"ok": true}`. Python binds port 0 and writes the port it got to a file, so no other
/// process can take the port in between; it exits by itself when the test process is gone.
/// `stop()` (or dropping the server) ends it and removes its files.
final class LoopbackHTTPServer: @unchecked Sendable {
    /// One request as received.
    struct Request: Sendable {
        let method: String
        let path: String
        let body: String

        /// "METHOD /path".
        var line: String { "\(method) \(path)" }
    }

    let port: Int
    private let process: ScratchProcess

    /// argv: the request log, the port file, the pid of the test process.
    private static let script = """
        import http.server, json, os, sys, threading, time
        log_path, port_path, parent = sys.argv[1], sys.argv[2], int(sys.argv[3])
        log_lock = threading.Lock()

        def watch_parent():
            while os.getppid() == parent:
                time.sleep(0.2)
            os._exit(0)

        class Handler(http.server.BaseHTTPRequestHandler):
            def handle_one(self):
                length = int(self.headers.get('Content-Length') or 0)
                body = self.rfile.read(length).decode('utf-8', 'replace') if length else ''
                with log_lock, open(log_path, 'a') as log:
                    log.write(json.dumps({'method': self.command, 'path': self.path, 'body': body}) + '\\n')
                if self.path == '/slow':
                    time.sleep(30)
                status = int(self.path.split('/')[2]) if self.path.startswith('/status/') else 200
                answer = b'{"ok": true}'
                self.send_response(status)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
            do_GET = do_POST = do_PUT = do_HEAD = handle_one
            def log_message(self, *args):
                pass

        threading.Thread(target=watch_parent, daemon=True).start()
        server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        with open(port_path + '.tmp', 'w') as f:
            f.write(str(server.server_address[1]))
        os.rename(port_path + '.tmp', port_path)
        server.serve_forever()
        """

    init() throws {
        (process, port) = try PortFileProcess.start(label: "callctl-http", failure: "the loopback HTTP server (python3) did not start") {
            ["python3", "-c", Self.script, $0.appendingPathComponent("requests").path, $1, "\(getpid())"]
        }
    }

    /// Requests received so far, in order.
    var received: [Request] {
        let text = (try? String(contentsOf: process.directory.appendingPathComponent("requests"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String],
                  let method = object["method"], let path = object["path"], let body = object["body"] else { return nil }
            return Request(method: method, path: path, body: body)
        }
    }

    /// Requests received so far, as "METHOD /path" lines.
    var requests: [String] { received.map(\.line) }

    /// Stops the server and removes its files; later calls do nothing.
    func stop() {
        process.stop()
        try? FileManager.default.removeItem(at: process.directory)
    }
}
