import Dispatch

/// A value computed on another thread while the caller goes on (the caller waits on the
/// server meanwhile); ``value()`` waits for it. The semaphore orders the write of the result
/// before its read.
final class Concurrently<Value: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<Value, any Error>?

    /// Starts computing.
    init(_ body: @escaping @Sendable () throws -> Value) {
        DispatchQueue.global().async {
            self.result = Result(catching: body)
            self.done.signal()
        }
    }

    /// Waits for the value, or rethrows what the computation threw.
    func value() throws -> Value {
        done.wait()
        defer { done.signal() }
        guard let result else { preconditionFailure("the computation signalled before storing its result") }
        return try result.get()
    }
}
