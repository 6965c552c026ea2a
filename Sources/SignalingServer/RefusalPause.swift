/// The pause before a WebSocket refused right after its upgrade gets its error frame and close.
///
/// A frame written at once reaches the client in the same TCP read as the `101` answer, and
/// a client whose pipeline is still being rebuilt for WebSocket can lose it: swift-websocket's
/// client (which `diagnose echo` and `diagnose peerjs` use) then saw neither the error nor the
/// close, on a loaded machine. Browsers cope, but a refusal is not urgent, and a refusal that
/// does not arrive tells the on-call engineer nothing. Admitted sockets need no pause: their
/// first frame follows a database read.
enum RefusalPause {
    /// How long the pause is.
    static let duration = Duration.milliseconds(100)

    /// Waits ``duration``.
    static func wait() async throws {
        try await Task.sleep(for: duration)
    }
}
