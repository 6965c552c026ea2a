import NIOCore

extension EventLoopFuture where Value: Sendable {
    /// The future's value, or `failure` when `deadline` comes first; the work behind the
    /// future is not stopped, only no longer waited for.
    func get(until deadline: NIODeadline, orFail failure: @escaping @Sendable () -> ProbeFailure) async throws -> Value {
        let promise = eventLoop.makePromise(of: Value.self)
        cascade(to: promise)
        let timer = eventLoop.scheduleTask(deadline: deadline) { promise.fail(failure()) }
        defer { timer.cancel() }
        return try await promise.futureResult.get()
    }
}
