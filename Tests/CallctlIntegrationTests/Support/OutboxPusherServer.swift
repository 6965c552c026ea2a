import Foundation
import LocalServices
import PusherProtocol

/// A Pusher HTTP API stand-in on 127.0.0.1 (python3) for one app: it checks each request's
/// signature itself (401 when it does not verify, as Pusher answers) and records every
/// request with its full path and body, so a test can verify them again with
/// `PusherRequestVerifier` and read the events. `port` 0 takes a free port; a known port lets
/// a test stop the server and bring it back at the same address.
final class OutboxPusherServer: @unchecked Sendable {
    /// One request as received.
    struct Request: Sendable {
        let method: String
        let path: String
        let query: [String: String]
        let body: Data
        let status: Int
    }

    let port: Int
    private let process: ScratchProcess

    /// argv: directory, port, pid of the test process, app key, app secret.
    private static let script = """
        import hashlib, hmac, http.server, json, os, sys, threading, time, urllib.parse
        directory, port, parent, key, secret = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
        lock = threading.Lock()

        def watch_parent():
            while os.getppid() == parent:
                time.sleep(0.2)
            os._exit(0)

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get('Content-Length') or 0)
                body = self.rfile.read(length) if length else b''
                path, _, query = self.path.partition('?')
                params = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
                signed = '&'.join(f'{k}={params[k]}' for k in sorted(params) if k != 'auth_signature')
                expected = hmac.new(secret.encode(), f'POST\\n{path}\\n{signed}'.encode(), hashlib.sha256).hexdigest()
                ok = (params.get('auth_key') == key and hmac.compare_digest(params.get('auth_signature', ''), expected)
                      and params.get('body_md5') == hashlib.md5(body).hexdigest())
                status = 200 if ok else 401
                with lock, open(os.path.join(directory, 'requests'), 'a') as log:
                    log.write(json.dumps({'method': 'POST', 'path': self.path, 'body': body.decode(), 'status': status}) + '\\n')
                answer = b'{}' if ok else b'{"error": "Invalid signature"}'
                self.send_response(status)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
            def log_message(self, *args):
                pass

        threading.Thread(target=watch_parent, daemon=True).start()
        http.server.ThreadingHTTPServer.allow_reuse_address = True
        server = http.server.ThreadingHTTPServer(('127.0.0.1', port), Handler)
        port_path = os.path.join(directory, 'port')
        with open(port_path + '.tmp', 'w') as f:
            f.write(str(server.server_address[1]))
        os.rename(port_path + '.tmp', port_path)
        server.serve_forever()
        """

    /// Starts the server for `app` on `port` (0: any free port).
    init(app: PusherApp, port: Int = 0) throws {
        (process, self.port) = try PortFileProcess.start(
            label: "callctl-pusher", failure: "the Pusher stand-in (python3) did not start on port \(port)"
        ) { directory, _ in ["python3", "-c", Self.script, directory.path, "\(port)", "\(getpid())", app.key, app.secret] }
    }

    /// The server's scratch directory (its request log).
    var directory: URL { process.directory }

    /// Requests received so far, in order.
    var received: [Request] {
        let text = (try? String(contentsOf: directory.appendingPathComponent("requests"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let target = object["path"] as? String, let body = object["body"] as? String,
                  let status = object["status"] as? Int, let components = URLComponents(string: target) else { return nil }
            let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }) { first, _ in first }
            return Request(method: object["method"] as? String ?? "", path: components.path, query: query,
                           body: Data(body.utf8), status: status)
        }
    }

    /// The events of every accepted request, in the order received: (channel, name, data).
    var acceptedEvents: [(channel: String, name: String, data: String)] {
        received.filter { $0.status == 200 }.flatMap { request -> [(channel: String, name: String, data: String)] in
            let object = try? JSONSerialization.jsonObject(with: request.body) as? [String: Any]
            let batch = object?["batch"] as? [[String: String]] ?? []
            return batch.map { (channel: $0["channel"] ?? "", name: $0["name"] ?? "", data: $0["data"] ?? "") }
        }
    }

    /// Stops the server; later calls do nothing. The request log stays readable until the server is dropped.
    func stop() { process.stop() }
}
