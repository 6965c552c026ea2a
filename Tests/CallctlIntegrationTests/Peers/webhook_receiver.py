#!/usr/bin/env python3
"""A loopback receiver of callctl's Pusher webhooks, judged by the official `pusher` library.

Usage: webhook_receiver.py DIRECTORY PORT PARENT_PID APPS_JSON
APPS_JSON is [{"id", "key", "secret"}, ...]. Every POST is checked with
pusher.Pusher(app_id, key, secret).validate_webhook(key, signature, body) for the app whose key
X-Pusher-Key names; it is answered 200 when valid, else 401, and recorded as one JSON line in
DIRECTORY/requests: {"key", "valid", "content_type", "time_ms", "events"}. The bound port is
written to DIRECTORY/port once it listens. It exits when its parent (the test process) does.
"""
import http.server
import json
import os
import sys
import threading
import time

import pusher

directory, port, parent = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
clients = {app["key"]: pusher.Pusher(app_id=app["id"], key=app["key"], secret=app["secret"])
           for app in json.loads(sys.argv[4])}
lock = threading.Lock()


def watch_parent():
    while os.getppid() == parent:
        time.sleep(0.2)
    os._exit(0)


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        key = self.headers.get("X-Pusher-Key") or ""
        signature = self.headers.get("X-Pusher-Signature") or ""
        client = clients.get(key)
        validated = client.validate_webhook(key, signature, body.decode()) if client else None
        record = {"key": key, "valid": validated is not None, "content_type": self.headers.get("Content-Type"),
                  "time_ms": (validated or {}).get("time_ms"), "events": (validated or {}).get("events", [])}
        with lock, open(os.path.join(directory, "requests"), "a") as log:
            log.write(json.dumps(record) + "\n")
        answer = b"{}" if validated is not None else b'{"error": "invalid webhook signature"}'
        self.send_response(200 if validated is not None else 401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


threading.Thread(target=watch_parent, daemon=True).start()
http.server.ThreadingHTTPServer.allow_reuse_address = True
server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
port_path = os.path.join(directory, "port")
with open(port_path + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(port_path + ".tmp", port_path)
server.serve_forever()
