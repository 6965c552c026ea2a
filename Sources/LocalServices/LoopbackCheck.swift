import Foundation

/// Readiness checks against a server on 127.0.0.1, with plain sockets.
enum LoopbackCheck {
    /// Whether a Binding request over UDP gets a Binding success response within 100 ms.
    static func answersBinding(port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        guard connectLoopback(descriptor, port: port) else { return false }
        // Binding request, no attributes, the magic cookie, a random transaction ID.
        let request: [UInt8] = [0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xA4, 0x42] + (0..<12).map { _ in UInt8.random(in: 0...255) }
        guard send(descriptor, request, request.count, 0) == request.count else { return false }
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, 100) == 1 else { return false }
        var response = [UInt8](repeating: 0, count: 1024)
        let count = recv(descriptor, &response, response.count, 0)
        return count >= 20 && response[0] == 0x01 && response[1] == 0x01 && response[8..<20] == request[8..<20]
    }

    /// Whether a TCP connection to the port is accepted.
    static func accepts(port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        return connectLoopback(descriptor, port: port)
    }

    private static func connectLoopback(_ descriptor: Int32, port: Int) -> Bool {
        let address = LocalHost.loopback(port: port)
        return withUnsafePointer(to: address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
