import ArgumentParser

/// The diagnosis cannot run (a bad or missing flag, an unreadable env file): the message goes
/// to stderr and the exit code is 2, so CI tells "could not diagnose" from "found a failure" (1).
enum DiagnoseUsage {
    /// The exit code of a diagnosis that could not run.
    static let exitCode: Int32 = 2

    /// Reports `message` and leaves with exit code 2.
    static func fail(_ message: String, command: String = "echo") -> ExitCode {
        StandardStreams.error("Error: \(message)\nSee 'callctl diagnose \(command) --help'.\n")
        return ExitCode(exitCode)
    }
}
