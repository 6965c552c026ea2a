import Foundation
#if canImport(Glibc)
import Glibc
#endif
import LocalServices

/// A plain TCP connection to a daemon on 127.0.0.1, for the bytes no HTTP client sends: half
/// a request line, a header without a colon, unmasked WebSocket frames. Reads wait with
/// `poll`, so a silent server makes a test wait, never hang. Closed when dropped.
final class RawConnection {
    private let descriptor: Int32
    /// Everything read so far.
    private(set) var received: [UInt8] = []
    /// True once the server closed (end of stream or reset).
    private(set) var closed = false
    private let opened = ContinuousClock.now

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard descriptor >= 0, connected else {
            if descriptor >= 0 { close(descriptor) }
            throw LocalServiceError("cannot connect to 127.0.0.1:\(port): errno \(errno)")
        }
    }

    deinit { close(descriptor) }

    /// Seconds since the connection was opened.
    var age: Double {
        let elapsed = ContinuousClock.now - opened
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// Sends `bytes`; false when the server has closed (or reset) the connection meanwhile.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }

    @discardableResult
    func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// Reads until `done(received)` holds, the server closes, or `seconds` pass; returns `done(received)`.
    @discardableResult
    func read(within seconds: Double, until done: ([UInt8]) -> Bool = { _ in false }) -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while !done(received), !closed {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { break }
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let milliseconds = Int32(min(1000, max(1, left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000)))
            guard poll(&poller, 1, milliseconds) == 1 else { continue }
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                received += buffer[0..<count]
            } else {
                closed = true
            }
        }
        return done(received)
    }

    /// Waits up to `seconds` for the server to close; true when it did.
    func awaitClose(within seconds: Double) -> Bool {
        read(within: seconds)
        return closed
    }

    /// Reads one whole HTTP response head and its `Content-Length` body (up to `seconds`).
    func readResponse(within seconds: Double = 5) -> RawResponse? {
        read(within: seconds) { RawResponse(parsing: $0) != nil }
        guard let response = RawResponse(parsing: received) else { return nil }
        received.removeFirst(response.length)
        return response
    }

    /// Reads one WebSocket frame from the server (unmasked, as servers send them).
    func readFrame(within seconds: Double = 5) -> WebSocketTestFrame? {
        read(within: seconds) { WebSocketTestFrame(parsing: $0) != nil }
        guard let frame = WebSocketTestFrame(parsing: received) else { return nil }
        received.removeFirst(frame.length)
        return frame
    }
}

/// An HTTP/1.1 response read off a ``RawConnection``.
struct RawResponse {
    let status: Int
    /// Header names lowercased.
    let headers: [String: String]
    let body: [UInt8]
    /// Bytes of head and body.
    let length: Int

    var text: String { String(decoding: body, as: UTF8.self) }
    var json: [String: Any] { ((try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]) ?? [:] }

    init?(parsing bytes: [UInt8]) {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let end = (0..<max(0, bytes.count - 3)).first(where: { Array(bytes[$0..<($0 + 4)]) == separator }) else { return nil }
        let lines = String(decoding: bytes[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let bodyLength = Int(headers["content-length"] ?? "0") ?? 0
        guard bytes.count >= end + 4 + bodyLength else { return nil }
        self.status = status
        self.headers = headers
        body = Array(bytes[(end + 4)..<(end + 4 + bodyLength)])
        length = end + 4 + bodyLength
    }
}

/// A WebSocket frame as the tests write (masked or, to provoke the server, not) and read them.
struct WebSocketTestFrame {
    let opcode: UInt8
    let payload: [UInt8]
    /// Bytes on the wire.
    let length: Int

    static let text: UInt8 = 0x1, close: UInt8 = 0x8

    /// The close code of a close frame.
    var closeCode: Int? { opcode == Self.close && payload.count >= 2 ? Int(payload[0]) << 8 | Int(payload[1]) : nil }
    var text: String { String(decoding: payload, as: UTF8.self) }

    /// A final frame with `payload`, masked with a random key unless `masked` is false.
    static func encode(opcode: UInt8 = text, _ payload: [UInt8], masked: Bool = true) -> [UInt8] {
        var bytes: [UInt8] = [0x80 | opcode]
        let maskBit: UInt8 = masked ? 0x80 : 0
        if payload.count < 126 {
            bytes.append(maskBit | UInt8(payload.count))
        } else {
            bytes.append(maskBit | 126)
            bytes += [UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        }
        guard masked else { return bytes + payload }
        let key = (0..<4).map { _ in UInt8.random(in: 0...255) }
        return bytes + key + payload.enumerated().map { $0.element ^ key[$0.offset % 4] }
    }

    init?(parsing bytes: [UInt8]) {
        guard bytes.count >= 2 else { return nil }
        var length = Int(bytes[1] & 0x7F), offset = 2
        if length == 126 {
            guard bytes.count >= 4 else { return nil }
            length = Int(bytes[2]) << 8 | Int(bytes[3])
            offset = 4
        } else if length == 127 {
            return nil // the hub's frames are far smaller
        }
        guard bytes[1] & 0x80 == 0, bytes.count >= offset + length else { return nil }
        opcode = bytes[0] & 0x0F
        payload = Array(bytes[offset..<(offset + length)])
        self.length = offset + length
    }
}

extension RawConnection {
    /// A valid `Sec-WebSocket-Key`: 16 random bytes in base64.
    static func webSocketKey() -> String {
        Data((0..<16).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
    }

    /// A WebSocket upgrade request for the hub at `/app/{key}` with `extra` header lines
    /// (each ending in CRLF), or without the usual version and key lines when they are given
    /// in `extra` instead.
    static func upgradeRequest(appKey: String = ServeProcess.appKey, version: String? = "13",
                               key: String? = webSocketKey(), extra: String = "") -> String {
        var request = "GET /app/\(appKey)?protocol=7 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        if let version { request += "Sec-WebSocket-Version: \(version)\r\n" }
        if let key { request += "Sec-WebSocket-Key: \(key)\r\n" }
        return request + extra + "\r\n"
    }

    /// Completes a WebSocket handshake with the hub and reads `pusher:connection_established`;
    /// throws unless both arrive.
    static func webSocket(port: Int) throws -> RawConnection {
        let connection = try RawConnection(port: port)
        connection.send(upgradeRequest())
        guard let response = connection.readResponse(), response.status == 101 else {
            throw LocalServiceError("the hub did not switch protocols: \(String(decoding: connection.received, as: UTF8.self))")
        }
        guard let established = connection.readFrame(), established.text.contains("pusher:connection_established") else {
            throw LocalServiceError("the hub sent no pusher:connection_established")
        }
        return connection
    }
}
