import Dispatch

/// A small pool of connections for async code.
///
/// Each connection owns a serial dispatch queue and every libpq call runs there, so blocking
/// network I/O never occupies a thread of Swift's cooperative pool. A connection found broken
/// is re-established on its next use; a transaction left open by a failed body is rolled back.
public final class PGPool: Sendable {
    private let state: PoolState
    /// Where the pool connects; a component that needs a dedicated connection (a `LISTEN`er)
    /// opens it with these settings.
    public let settings: ConnectionSettings

    /// Creates a pool of at most `size` connections, opened lazily; with `preparesStatements`
    /// each connection prepares its statements once (``PGConnection/preparesStatements``).
    ///
    /// With `acquireTimeout`, a caller that finds every connection busy waits at most that
    /// long and then gets a ``PostgresError`` of kind ``PostgresError/Kind/overloaded``; so
    /// does, at once, a caller that would be waiter number `maximumWaiters + 1` or whose
    /// expected wait is longer than the timeout (``PoolAdmission``). Without it, callers
    /// queue until a connection is free (command-line use).
    public init(settings: ConnectionSettings, size: Int = 4, applicationName: String = "callctl", preparesStatements: Bool = false,
                acquireTimeout: Duration? = nil, maximumWaiters: Int = Int.max) {
        precondition(size > 0, "a pool needs at least one connection")
        self.settings = settings
        state = PoolState(settings: settings, size: size, applicationName: applicationName, preparesStatements: preparesStatements,
                          acquireTimeout: acquireTimeout, maximumWaiters: maximumWaiters)
    }

    /// Runs `body` with a connection of the pool, on that connection's own queue.
    public func withConnection<T: Sendable>(
        _ body: @escaping @Sendable (PGConnection) throws -> T
    ) async throws -> T {
        let pooled = try await state.acquire()
        let clock = ContinuousClock()
        let start = clock.now
        let result: Result<T, any Error>
        do {
            result = .success(try await pooled.run(body))
        } catch {
            result = .failure(error)
        }
        if await state.release(pooled, held: clock.now - start) == .close {
            await pooled.closeConnection()
        }
        return try result.get()
    }

    /// Closes every idle connection and refuses further use; waiting callers get an error.
    /// A connection in use is closed when its caller releases it.
    public func close() async {
        for pooled in await state.shutDown() {
            await pooled.closeConnection()
        }
    }
}

/// A connection slot with its own serial queue; `connection` is touched only on `queue`.
final class PooledConnection: @unchecked Sendable {
    private let queue = DispatchQueue(label: "callctl.postgres.connection")
    private let settings: ConnectionSettings
    private let applicationName: String
    private let preparesStatements: Bool
    private var connection: PGConnection?

    init(settings: ConnectionSettings, applicationName: String, preparesStatements: Bool) {
        self.settings = settings
        self.applicationName = applicationName
        self.preparesStatements = preparesStatements
    }

    func run<T: Sendable>(_ body: @escaping @Sendable (PGConnection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try self.runOnQueue(body) })
            }
        }
    }

    func closeConnection() async {
        await withCheckedContinuation { continuation in
            queue.async {
                self.connection?.close()
                self.connection = nil
                continuation.resume()
            }
        }
    }

    private func runOnQueue<T>(_ body: (PGConnection) throws -> T) throws -> T {
        let live = try usableConnection()
        defer {
            if live.isInTransaction { try? live.execute("ROLLBACK") }
        }
        return try body(live)
    }

    private func usableConnection() throws(PostgresError) -> PGConnection {
        if let connection {
            // A connection the server closed while it was idle (e.g. PostgreSQL restarted) is
            // reopened now, rather than failing the request that happens to get it.
            if !connection.isHealthy || connection.closedWhileIdle { try connection.reset() }
            return connection
        }
        let opened = try PGConnection(settings: settings, applicationName: applicationName)
        opened.preparesStatements = preparesStatements
        connection = opened
        return opened
    }
}

actor PoolState {
    private let settings: ConnectionSettings
    private let size: Int
    private let applicationName: String
    private let preparesStatements: Bool
    private var idle: [PooledConnection] = []
    private var created = 0
    private let acquireTimeout: Duration?
    private let maximumWaiters: Int
    private var waiters: [(id: Int, continuation: CheckedContinuation<PooledConnection, any Error>)] = []
    private var nextWaiter = 0
    private var closed = false
    private var admission = PoolAdmission()

    init(settings: ConnectionSettings, size: Int, applicationName: String, preparesStatements: Bool,
         acquireTimeout: Duration?, maximumWaiters: Int) {
        self.settings = settings
        self.size = size
        self.applicationName = applicationName
        self.preparesStatements = preparesStatements
        self.acquireTimeout = acquireTimeout
        self.maximumWaiters = maximumWaiters
    }

    func acquire() async throws -> PooledConnection {
        if closed { throw PostgresError(.pool, "the connection pool is closed") }
        if let pooled = idle.popLast() { return pooled }
        if created < size {
            created += 1
            return PooledConnection(settings: settings, applicationName: applicationName, preparesStatements: preparesStatements)
        }
        guard waiters.count < maximumWaiters else {
            throw PostgresError(.overloaded, "all \(size) database connections are busy and \(maximumWaiters) requests already wait")
        }
        if let acquireTimeout, admission.refusesAtOnce(position: waiters.count + 1, size: size, timeout: acquireTimeout) {
            throw PostgresError(.overloaded, "all \(size) database connections are busy and \(waiters.count) requests already wait; "
                                + "the next would wait longer than \(acquireTimeout)")
        }
        nextWaiter += 1
        let id = nextWaiter
        if let acquireTimeout {
            Task { [weak self] in
                try? await Task.sleep(for: acquireTimeout)
                await self?.expire(id, after: acquireTimeout)
            }
        }
        return try await withCheckedThrowingContinuation { waiters.append((id, $0)) }
    }

    /// Ends waiter `id` with `overloaded` if it is still waiting.
    private func expire(_ id: Int, after timeout: Duration) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(throwing: PostgresError(
            .overloaded, "no database connection became free within \(timeout) (all \(size) are busy)"))
    }

    /// What the caller of ``release(_:)`` does with the connection it gave back.
    enum Disposal: Equatable {
        /// Nothing: the pool keeps it (idle, or handed to a waiter).
        case keep
        /// Close it: the pool was closed while it was in use.
        case close
    }

    /// Takes back a connection that its caller held for `held`.
    func release(_ pooled: PooledConnection, held: Duration) -> Disposal {
        admission.record(hold: held)
        if closed { return .close }
        if !waiters.isEmpty {
            waiters.removeFirst().continuation.resume(returning: pooled)
        } else {
            idle.append(pooled)
        }
        return .keep
    }

    func shutDown() -> [PooledConnection] {
        closed = true
        for waiter in waiters { waiter.continuation.resume(throwing: PostgresError(.pool, "the connection pool was closed")) }
        waiters.removeAll()
        defer { idle.removeAll() }
        return idle
    }
}
