import Foundation
import LocalServices

/// A socket on 127.0.0.1 that is no STUN server: it stays silent (UDP, or TCP holding the
/// connections it accepts), or answers every UDP datagram with malformed and random bytes,
/// or answers a TCP connection with HTTP. It counts what it receives; `stop()` ends its
/// thread and closes everything.
final class ProbeFakeServer: @unchecked Sendable {
    enum Behaviour {
        case silentUDP, garbageUDP, silentTCP, httpTCP
    }

    let port: Int
    private let behaviour: Behaviour
    private let descriptor: Int32
    private let lock = NSLock()
    private var stopping = false
    private var count = 0
    private var held: [Int32] = []
    private let finished = DispatchSemaphore(value: 0)

    init(_ behaviour: Behaviour) throws {
        self.behaviour = behaviour
        let tcp = behaviour == .httpTCP || behaviour == .silentTCP
        let descriptor = socket(AF_INET, Int32(tcp ? SOCK_STREAM.rawValue : SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard descriptor >= 0, bound, !tcp || listen(descriptor, 8) == 0 else {
            throw LocalServiceError("cannot open the fake server's socket")
        }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread { [self] in serve() }.start()
    }

    /// How many datagrams or connections arrived.
    var received: Int { lock.withLock { count } }

    func stop() {
        lock.withLock { stopping = true }
        finished.wait()
        held.forEach { close($0) }
        close(descriptor)
    }

    private func serve() {
        while !lock.withLock({ stopping }) {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 20) == 1 else { continue }
            lock.withLock { count += 1 }
            switch behaviour {
            case .silentUDP: _ = recv(descriptor, nil, 0, 0)
            case .garbageUDP: answerGarbage()
            case .silentTCP: held.append(accept(descriptor, nil, nil))
            case .httpTCP: answerHTTP()
            }
        }
        finished.signal()
    }

    /// Three answers: random bytes, a STUN header with a wrong cookie, and a Binding
    /// success for the request's transaction whose attribute runs past the end.
    private func answerGarbage() {
        var request = [UInt8](repeating: 0, count: 2048)
        var peer = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let size = withUnsafeMutablePointer(to: &peer) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(descriptor, &request, request.count, 0, $0, &length) }
        }
        guard size >= 20 else { return }
        let transaction = Array(request[8..<20])
        let answers: [[UInt8]] = [
            (0..<300).map { _ in UInt8.random(in: 0...255) | 0x80 },
            [0x01, 0x01, 0x00, 0x00, 0xDE, 0xAD, 0xBE, 0xEF] + transaction,
            [0x01, 0x01, 0x00, 0x08, 0x21, 0x12, 0xA4, 0x42] + transaction + [0x00, 0x20, 0x00, 0x64, 0, 0, 0, 0],
        ]
        for answer in answers {
            _ = withUnsafePointer(to: peer) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(descriptor, answer, answer.count, 0, $0, length) }
            }
        }
    }

    private func answerHTTP() {
        let connection = accept(descriptor, nil, nil)
        guard connection >= 0 else { return }
        defer { close(connection) }
        var poller = pollfd(fd: connection, events: Int16(POLLIN), revents: 0)
        _ = poll(&poller, 1, 1000)
        var request = [UInt8](repeating: 0, count: 2048)
        _ = recv(connection, &request, request.count, 0)
        let answer = Array("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".utf8)
        _ = send(connection, answer, answer.count, 0)
    }
}
