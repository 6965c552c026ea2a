import ArgumentParser
@testable import CallctlCommands
import Foundation
import LocalServices

/// Runs `callctl` commands inside the test process: the arguments are parsed as the binary
/// parses them and the command runs in a ``CommandContext`` whose stdout and stderr are
/// captured, so the outcome has the shape of a spawned run's (``CLI/run(_:environment:)``)
/// and the same assertions hold for both. Keep spawned runs for what needs a real process:
/// signals, kill -9, overlapping runs, the process's own environment and output descriptors.
enum InProcess {
    /// Runs `callctl arguments` with the test process's variables changed as a child's would be
    /// (``CLI/environment(_:)``: the database and ICE variables cleared, then `overrides`), and
    /// `now` as the clock. Usage errors and failures give the status and stderr text the binary
    /// gives (ArgumentParser's message, or the command's one logged sentence). The command runs on
    /// ``InProcessExecutor``.
    static func run(_ arguments: [String], environment overrides: [String: String?] = [:],
                    now: @escaping @Sendable () -> Date = { Date() }) async -> CommandRunner.Outcome {
        var variables = ProcessInfo.processInfo.environment
        for (name, value) in CLI.environment(overrides) { variables[name] = value }
        let output = TextCapture(), errors = TextCapture()
        let context = CommandContext(variables: variables, output: { output.append($0) }, errorOutput: { errors.append($0) }, now: now)
        var status: Int32 = 0
        do {
            var command = try CallctlCommand.parseAsRoot(arguments)
            if let contextual = command as? any ContextualCommand {
                try await withTaskExecutorPreference(InProcessExecutor.shared) { try await contextual.run(in: context) }
            } else {
                // A command group without a subcommand: ArgumentParser's help request.
                try command.run()
            }
        } catch {
            // As ArgumentParser's `exit(withError:)` in a child writing into pipes: the message at the
            // COLUMNS width (80 by default), on stdout for a clean exit, else on stderr.
            status = CallctlCommand.exitCode(for: error).rawValue
            let message = CallctlCommand.fullMessage(for: error, columns: Int(variables["COLUMNS"] ?? "") ?? 80)
            if !message.isEmpty { (status == 0 ? output : errors).append(message + "\n") }
        }
        return CommandRunner.Outcome(status: status, standardOutput: output.text, standardError: errors.text)
    }
}
