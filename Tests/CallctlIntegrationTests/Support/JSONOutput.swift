import Foundation
import LocalServices
import Testing

/// What a finished `callctl` process wrote: a `CommandRunner.Outcome`, or a `BackgroundRun.Ending`.
protocol CapturedOutput {
    var standardOutput: String { get }
    /// Both streams, for failure messages.
    var output: String { get }
}

extension CommandRunner.Outcome: CapturedOutput {}

extension CapturedOutput {
    /// Standard output parsed as a JSON object; records an issue naming the output and throws
    /// when it is not JSON, or not an object.
    func json() throws -> [String: Any] {
        let object = try? JSONSerialization.jsonObject(with: Data(standardOutput.utf8))
        return try #require(object as? [String: Any], "stdout is not a JSON object: \(output)")
    }
}
