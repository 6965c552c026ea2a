import ArgumentParser

/// The diagnosis cannot run (a bad or missing flag, an unreadable env file): the message goes
/// to stderr and the exit code is 2, so CI tells "could not diagnose" from "found a failure" (1).
enum DiagnoseUsage {
    /// The exit code of a diagnosis that could not run.
    static let exitCode: Int32 = 2

    /// Reports `message` on `errorOutput` (stderr unless a command's context says otherwise)
    /// and leaves with exit code 2.
    static func fail(_ message: String, command: String = "echo", errorOutput: Output = .standardError) -> ExitCode {
        errorOutput.write("Error: \(message)\nSee 'callctl diagnose \(command) --help'.\n")
        return ExitCode(exitCode)
    }
}
