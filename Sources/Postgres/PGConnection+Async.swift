import Offloading

extension PGConnection {
    /// Opens a connection, runs `body` with it and closes it, all on a thread of its own
    /// (``Offloading``): the way async code that is not a daemon (a command) uses one
    /// connection without blocking Swift's cooperative pool. The daemon uses ``PGPool``.
    public static func withNew<T: Sendable>(settings: ConnectionSettings, applicationName: String = "callctl",
                                            _ body: @escaping @Sendable (PGConnection) throws -> T) async throws -> T {
        try await Offloading.run {
            let connection = try PGConnection(settings: settings, applicationName: applicationName)
            defer { connection.close() }
            return try body(connection)
        }
    }
}
