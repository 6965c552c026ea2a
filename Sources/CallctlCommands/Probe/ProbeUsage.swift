import ArgumentParser
import Foundation
import ICE

/// A probe's flags or URI are wrong: the probe cannot tell anything, which is UNKNOWN.
struct ProbeUsageError: Error, CustomStringConvertible {
    /// What is wrong and what to write instead.
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// Turns probe usage errors into exit code 3 (UNKNOWN), as Nagios-style monitoring expects,
/// instead of ArgumentParser's 64: the message goes to stderr and, with `--format nagios`,
/// an `UNKNOWN` status line to stdout.
///
/// ArgumentParser prints a thrown error's message only with exit code 1 or 64, so the
/// message is printed here and `ExitCode(3)` thrown. The checks run in `run()`, not in
/// `validate()`, so `--help` is answered however wrong the other flags are.
enum ProbeUsage {
    /// Runs `body`; on a usage error reports it in `context` and throws `ExitCode(3)`.
    static func check<T>(_ command: String, format: String, in context: CommandContext, _ body: () throws(ProbeUsageError) -> T) throws -> T {
        do {
            return try body()
        } catch {
            context.errorOutput.write("Error: \(error)\nSee 'callctl probe \(command) --help'.\n")
            if format == ProbeFormat.nagios.rawValue {
                context.output.write("\(command.uppercased()) UNKNOWN - \(error)\n")
            }
            throw ExitCode(ProbeStatus.unknown.exitCode)
        }
    }

    /// A number of seconds or milliseconds from a flag, within its bounds.
    static func number(_ text: String, flag: String, unit: String, range: ClosedRange<Double>) throws(ProbeUsageError) -> Double {
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite, range.contains(value) else {
            throw ProbeUsageError("\(flag) takes \(unit) from \(PlainNumber.text(range.lowerBound)) to \(PlainNumber.text(range.upperBound)); got '\(text)'")
        }
        return value
    }

}
