import Dispatch

/// The threads commands and routers run on inside the test process, apart from Swift's
/// cooperative pool: many tests block that pool's few threads (one per core) while they wait
/// for a spawned process or poll the database, and a command or route run in-process must not
/// wait for them, as it would not in a process of its own.
final class InProcessExecutor: TaskExecutor {
    /// The one executor of the test process.
    static let shared = InProcessExecutor()

    private let queue = DispatchQueue(label: "callctl-tests.in-process", attributes: .concurrent)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
