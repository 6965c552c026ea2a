import Foundation

/// A PeerJS client's WebSocket to a PeerServer, driven step by step (the demo's browsers):
/// ``connect(url:caFile:timeout:)`` returns once OPEN came, and messages go and come as text.
public final class PeerJSClient: Sendable {
    private let socket: PusherSocket
    private let timeout: Duration

    private init(socket: PusherSocket, timeout: Duration) {
        self.socket = socket
        self.timeout = timeout
    }

    /// Why a connection did not open.
    public struct Refused: Error, CustomStringConvertible, Sendable {
        /// What the server sent or what went wrong.
        public let description: String
    }

    /// Connects to `url` (`ws[s]://host:port{path}/peerjs?key=&id=&token=`) and waits for OPEN.
    /// - Throws: ``Refused`` with the server's ERROR or the failure.
    public static func connect(url: String, caFile: String? = nil, timeout: Duration = .seconds(5)) async throws -> PeerJSClient {
        let client = PeerJSClient(socket: PusherSocket(url: url, caFile: caFile, frames: .raw), timeout: timeout)
        guard case .upgraded? = await client.socket.next(by: .now + timeout) else {
            client.close()
            throw Refused(description: "the WebSocket upgrade failed")
        }
        let first = await client.next()
        guard let first, first.contains("\"OPEN\"") else {
            client.close()
            throw Refused(description: first.map { "the server sent \($0.prefix(200)) instead of OPEN" } ?? "no OPEN")
        }
        return client
    }

    /// Sends one message.
    public func send(_ text: String) { socket.send(text: text) }

    /// The next text frame, or nil when none came within the timeout or the socket ended.
    public func next() async -> String? {
        let deadline = ContinuousClock.now + timeout
        while true {
            switch await socket.next(by: deadline) {
            case .text(let text)?: return text
            case .upgraded?, .message?, .foreign?: continue
            case nil, .closed?, .failed?: return nil
            }
        }
    }

    /// Ends the connection.
    public func close() { socket.close() }
}
