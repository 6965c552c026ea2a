import CallctlCommands
import Foundation
import LocalServices
import Testing

/// crontab.example is the /etc/cron.d/callctl the Debian package installs: every job line has
/// five time fields, runs as the callctl user, reads the service's env file, and its callctl
/// command parses with the flags this binary accepts (so a renamed flag breaks the build).
@Suite("crontab.example is a working /etc/cron.d file")
struct CronFileTests {
    /// The job lines: not comments, not `NAME=value` settings.
    static func jobLines() throws -> [String] {
        let text = try String(contentsOf: AuthorizationMatrixTests.packageRoot.appendingPathComponent("crontab.example"), encoding: .utf8)
        return text.split(separator: "\n").map(String.init).filter {
            !$0.hasPrefix("#") && !$0.trimmingCharacters(in: .whitespaces).isEmpty && $0.firstMatch(of: /^[A-Z_]+=/) == nil
        }
    }

    @Test("each job runs as callctl, reads /etc/callctl/callctl.env, and its command parses")
    func jobsParse() throws {
        let lines = try Self.jobLines()
        #expect(lines.count == 5, "\(lines)")
        try withScratchDirectory("cron") { scratch in
            for sub in ["metrics", "reports"] {
                try FileManager.default.createDirectory(at: scratch.appendingPathComponent(sub), withIntermediateDirectories: true)
            }
            for line in lines {
                let fields = line.split(separator: " ", maxSplits: 6).map(String.init)
                try #require(fields.count == 7, "`\(line)` is not five time fields, a user and a command")
                #expect(fields[5] == "callctl", "`\(line)` does not run as the callctl user")
                // What cron hands to sh: `\%` is a literal %, and the redirections are sh's business.
                var command = fields[6].replacingOccurrences(of: "\\%", with: "%")
                    .replacingOccurrences(of: "/var/lib/callctl/", with: scratch.path + "/")
                if let redirection = command.firstRange(of: #/ \d?>>? /#) { command = String(command[..<redirection.lowerBound]) }
                let words = try #require(try PlaybookCommandTests.words(command), "`\(command)` is not one plain command")
                #expect(words.first == "callctl", "`\(line)`")
                #expect(zip(words, words.dropFirst()).contains { $0 == ("--env-file", PlaybookCommandTests.serviceEnvFile) },
                        "`\(line)` does not read \(PlaybookCommandTests.serviceEnvFile)")
                do {
                    _ = try CallctlCommand.parseAsRoot(Array(words.dropFirst()))
                } catch {
                    Issue.record("`\(line)` does not parse: \(CallctlCommand.message(for: error))")
                }
            }
        }
    }
}
