import ArgumentParser

/// A command that runs in the ``CommandContext`` it is given (as swiftly's commands do):
/// ArgumentParser's `run()` gives it ``CommandContext/live``; a test gives it captured streams,
/// its own variables and clock, and runs it inside the test process.
protocol ContextualCommand: AsyncParsableCommand {
    /// Runs the command in `context`: results on its output, logs and failures on its error output.
    func run(in context: CommandContext) async throws
}

extension ContextualCommand {
    /// ArgumentParser's entry point: runs in the live context of the `callctl` process.
    func run() async throws {
        try await run(in: .live)
    }
}
