import Foundation
import LocalServices

/// A broken server on 127.0.0.1 for `diagnose echo`'s fault tests (a python3 script):
/// `.silent` completes the WebSocket upgrade (101) and then never sends a frame, as a server
/// that is not Pusher or a buffering proxy; `.expiredTLS` does the same behind TLS with a
/// self-signed certificate for 127.0.0.1 that expired two days ago (made by the `cryptography`
/// package of the test venv); `.openAuth` is a channel-auth endpoint that signs every channel
/// for anyone, token or not, with the given key and secret. Python binds port 0 and writes the port to a file; it exits when
/// the test process is gone. Dropping the server ends it and removes its files.
final class DiagnoseStubServer: @unchecked Sendable {
    enum Mode {
        case silent
        case expiredTLS
        case openAuth(key: String, secret: String)

        /// The script's arguments after the port file and the parent pid.
        var arguments: [String] {
            switch self {
            case .silent: ["silent"]
            case .expiredTLS: ["expired-tls"]
            case .openAuth(let key, let secret): ["open-auth", key, secret]
            }
        }
    }

    let port: Int
    private let process: ScratchProcess

    /// argv: the port file, the pid of the test process, the mode and its arguments.
    private static let script = """
        import base64, datetime, hashlib, hmac, json, os, socket, ssl, sys, threading, time, urllib.parse
        port_path, parent, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]

        def watch_parent():
            while os.getppid() == parent:
                time.sleep(0.2)
            os._exit(0)

        def expired_context(directory):
            import ipaddress
            from cryptography import x509
            from cryptography.x509.oid import NameOID
            from cryptography.hazmat.primitives import hashes, serialization
            from cryptography.hazmat.primitives.asymmetric import ec
            key = ec.generate_private_key(ec.SECP256R1())
            name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, '127.0.0.1')])
            now = datetime.datetime.now(datetime.timezone.utc)
            cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                    .serial_number(x509.random_serial_number())
                    .not_valid_before(now - datetime.timedelta(days=30)).not_valid_after(now - datetime.timedelta(days=2))
                    .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address('127.0.0.1'))]), critical=False)
                    .sign(key, hashes.SHA256()))
            cert_path, key_path = os.path.join(directory, 'cert.pem'), os.path.join(directory, 'key.pem')
            with open(cert_path, 'wb') as f:
                f.write(cert.public_bytes(serialization.Encoding.PEM))
            with open(key_path, 'wb') as f:
                f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(cert_path, key_path)
            return context

        def serve(conn, context):
            try:
                if context:
                    conn = context.wrap_socket(conn, server_side=True)
                data = b''
                while b'\\r\\n\\r\\n' not in data:
                    chunk = conn.recv(4096)
                    if not chunk:
                        return
                    data += chunk
                if mode == 'open-auth':
                    return sign_anything(conn, data)
                keys = [l.split(b':', 1)[1].strip() for l in data.split(b'\\r\\n') if l.lower().startswith(b'sec-websocket-key:')]
                if not keys:
                    conn.sendall(b'HTTP/1.1 404 Not Found\\r\\nContent-Length: 0\\r\\nConnection: close\\r\\n\\r\\n')
                    return
                accept = base64.b64encode(hashlib.sha1(keys[0] + b'258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest())
                conn.sendall(b'HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\n'
                             + b'Sec-WebSocket-Accept: ' + accept + b'\\r\\n\\r\\n')
                while conn.recv(4096):
                    pass
            except Exception:
                pass
            finally:
                conn.close()

        def sign_anything(conn, data):
            head, _, body = data.partition(b'\\r\\n\\r\\n')
            lengths = [int(l.split(b':', 1)[1]) for l in head.split(b'\\r\\n') if l.lower().startswith(b'content-length:')]
            while len(body) < (lengths[0] if lengths else 0):
                body += conn.recv(4096)
            form = urllib.parse.parse_qs(body.decode())
            message = (form['socket_id'][0] + ':' + form['channel_name'][0]).encode()
            signature = hmac.new(sys.argv[5].encode(), message, hashlib.sha256).hexdigest()
            answer = json.dumps({'auth': sys.argv[4] + ':' + signature}).encode()
            conn.sendall(b'HTTP/1.1 200 OK\\r\\nContent-Type: application/json\\r\\nConnection: close\\r\\n'
                         + b'Content-Length: ' + str(len(answer)).encode() + b'\\r\\n\\r\\n' + answer)

        threading.Thread(target=watch_parent, daemon=True).start()
        context = expired_context(os.path.dirname(port_path)) if mode == 'expired-tls' else None
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(('127.0.0.1', 0))
        listener.listen(16)
        with open(port_path + '.tmp', 'w') as f:
            f.write(str(listener.getsockname()[1]))
        os.rename(port_path + '.tmp', port_path)
        while True:
            conn, _ = listener.accept()
            threading.Thread(target=serve, args=(conn, context), daemon=True).start()
        """

    init(_ mode: Mode) throws {
        let python: String
        if case .expiredTLS = mode { python = PusherPeer.python } else { python = "python3" }
        (process, port) = try PortFileProcess.start(
            label: "callctl-diagnose-stub",
            failure: "the \(mode.arguments[0]) stub server (\(python)) did not start; the expired-tls mode needs the test venv (scripts/setup.sh)"
        ) { _, portPath in [python, "-c", Self.script, portPath, "\(getpid())"] + mode.arguments }
    }
}
