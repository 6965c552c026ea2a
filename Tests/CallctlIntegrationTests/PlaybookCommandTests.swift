import CallctlCommands
import Foundation
import Testing

/// The on-call playbooks: every one has the house sections, and every `callctl` command in
/// their ```sh blocks parses with the flags this binary accepts.
@Suite("playbooks name commands that exist")
struct PlaybookCommandTests {
    static let sections = ["## Symptoms", "## First command", "## Reading the output", "## Fix for each verdict",
                           "## Verify recovery", "## Escalation"]
    static let required = ["turn-down.md", "nobody-connects.md", "echo-no-events.md", "zombie-calls.md",
                           "no-show-backlog.md", "migration-refused.md"]

    /// `playbooks/` at the package root, found from this file's path.
    static var directory: URL {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url = url.deletingLastPathComponent()
            let candidate = url.appendingPathComponent("playbooks")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("migration-refused.md").path) {
                return candidate
            }
        }
        return URL(fileURLWithPath: "playbooks")
    }

    static func playbooks() throws -> [(name: String, text: String)] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".md") }.sorted()
        return try names.map { ($0, try String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8)) }
    }

    /// The lines starting with `callctl ` inside ```sh fences.
    static func commands(in text: String) -> [String] {
        var inShell = false
        var found: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("```") {
                inShell = !inShell && trimmed == "```sh"
            } else if inShell, trimmed.hasPrefix("callctl ") {
                found.append(trimmed)
            }
        }
        return found
    }

    /// Splits a command line as sh would for plain words, '…' and "…" (no expansion: `$TOKEN`
    /// stays a literal placeholder value); nil for pipes, redirections, `;`, `&` or comments.
    static func words(_ line: String) -> [String]? {
        var words: [String] = []
        var current = ""
        var quote: Character?
        var inWord = false
        for character in line {
            if let open = quote {
                if character == open { quote = nil } else { current.append(character) }
            } else if character == "'" || character == "\"" {
                quote = character
                inWord = true
            } else if character == " " {
                if inWord { words.append(current) }
                current = ""
                inWord = false
            } else if "|;&<>#`".contains(character) {
                return nil
            } else {
                current.append(character)
                inWord = true
            }
        }
        guard quote == nil else { return nil }
        if inWord { words.append(current) }
        return words
    }

    @Test("the five on-call playbooks exist beside migration-refused.md")
    func present() throws {
        let names = Set(try Self.playbooks().map(\.name))
        for name in Self.required {
            #expect(names.contains(name), "playbooks/\(name) is missing")
        }
    }

    @Test("every playbook has the house sections in order and at least one callctl command")
    func structure() throws {
        for (name, text) in try Self.playbooks() {
            let positions = Self.sections.map { text.range(of: "\n\($0)\n")?.lowerBound }
            for (section, position) in zip(Self.sections, positions) where position == nil {
                Issue.record("playbooks/\(name) lacks the section \(section)")
            }
            let found = positions.compactMap { $0 }
            #expect(found == found.sorted(), "playbooks/\(name): the sections are out of order")
            #expect(!Self.commands(in: text).isEmpty, "playbooks/\(name) has no callctl command in a ```sh block")
        }
    }

    @Test("every callctl command in a playbook parses: subcommand, flags and values")
    func commandsParse() throws {
        var checked = 0
        for (name, text) in try Self.playbooks() {
            for line in Self.commands(in: text) {
                guard let words = Self.words(line) else {
                    Issue.record("playbooks/\(name): `\(line)` is not one plain command (no pipes, redirections or comments)")
                    continue
                }
                do {
                    _ = try CallctlCommand.parseAsRoot(Array(words.dropFirst()))
                    checked += 1
                } catch {
                    Issue.record("playbooks/\(name): `\(line)` does not parse: \(CallctlCommand.message(for: error))")
                }
            }
        }
        #expect(checked >= Self.required.count)
    }

    @Test("the command extractor reads only sh fences and splits quotes like sh")
    func extractor() {
        let text = "```sh\ncallctl outbox status\n```\n```\ncallctl not-this\n```\n```sh\n  callctl kpi --tz 'Europe/Berlin'\n```\n"
        #expect(Self.commands(in: text) == ["callctl outbox status", "callctl kpi --tz 'Europe/Berlin'"])
        #expect(Self.words("callctl diagnose echo --token \"$TOKEN\" --channel private-appointments.42")
            == ["callctl", "diagnose", "echo", "--token", "$TOKEN", "--channel", "private-appointments.42"])
        #expect(Self.words("callctl outbox status --format json | jq .backlog") == nil)
        #expect(Self.words("callctl kpi --from ''") == ["callctl", "kpi", "--from", ""])
    }

    @Test("a command with an unknown flag fails the check")
    func unknownFlagFails() {
        #expect(throws: (any Error).self) { try CallctlCommand.parseAsRoot(["jobs", "reap", "--dry-runn"]) }
        #expect(throws: (any Error).self) { try CallctlCommand.parseAsRoot(["diagnose", "nothing"]) }
    }
}
