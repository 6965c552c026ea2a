import ArgumentParser
import CallctlCommands
import Foundation
import LocalServices
import Testing

/// The on-call playbooks: every one has the house sections, and every `callctl` command in
/// their ```sh blocks parses with the flags this binary accepts (after sh has split it and
/// the placeholders are filled), reads the service's env file, and names no literal date or id.
@Suite("playbooks name commands that exist")
struct PlaybookCommandTests {
    static let sections = ["## Symptoms", "## First command", "## Reading the output", "## Fix for each verdict",
                           "## Verify recovery", "## Escalation"]
    static let required = ["turn-down.md", "nobody-connects.md", "echo-no-events.md", "zombie-calls.md",
                           "no-show-backlog.md", "migration-refused.md", "recordings-not-purged.md", "webhook-refused.md"]

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

    /// What a reader fills in for each `<placeholder>` a playbook uses, as a sample value. A new
    /// placeholder needs a line here, so that its command is still checked.
    static let samples = [
        "appointment-id": "42", "outage-end-utc": "2026-03-29T10:45:01Z", "grace-duration": "20m",
        "timeout-key": "timeouts.heartbeat", "duration": "120s", "turn-uri-from-CALLCTL_ICE_SERVERS": "turns:turn.example.org",
        "call-id": "0b0e6a5e-8d1c-4f4e-9a57-3c2d1e0f9a11", "why": "ticket OPS-123", "retention-days": "90d",
        "tenant-id": "3",
    ]

    /// The service's env file every command reads (callctl.service's `EnvironmentFile=`).
    static let serviceEnvFile = "/etc/callctl/callctl.env"

    /// Splits a command line as sh does (`"$TOKEN"`, '…', `$(date -u +%F)`), after filling each
    /// `<placeholder>` with its sample; nil for pipes, redirections, `;`, `&`, backquotes or
    /// comments. Throws for a placeholder without a sample.
    static func words(_ line: String) throws -> [String]? {
        var filled = line
        for match in line.matches(of: /<([A-Za-z][A-Za-z0-9_-]*)>/) {
            let name = String(match.output.1)
            guard let sample = samples[name] else { throw UnknownPlaceholder(name: name) }
            filled = filled.replacingOccurrences(of: "<\(name)>", with: sample)
        }
        guard !filled.contains(where: { "|;&<>#`\\".contains($0) }) else { return nil }
        let outcome = try CommandRunner.run(["sh", "-c", "set -- \(filled); printf '%s\\0' \"$@\""])
        guard outcome.status == 0 else { return nil }
        return outcome.standardOutput.split(separator: "\0", omittingEmptySubsequences: false).dropLast().map(String.init)
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

    @Test("every callctl command in a playbook parses: subcommand, flags and values, and reads the service's env file")
    func commandsParse() throws {
        var checked = 0
        for (name, text) in try Self.playbooks() {
            for line in Self.commands(in: text) {
                guard let words = try Self.words(line) else {
                    Issue.record("playbooks/\(name): `\(line)` is not one plain command (no pipes, redirections or comments)")
                    continue
                }
                #expect(zip(words, words.dropFirst()).contains { $0 == ("--env-file", Self.serviceEnvFile) },
                        "playbooks/\(name): `\(line)` does not load the service's configuration (--env-file \(Self.serviceEnvFile))")
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

    @Test("no playbook names a literal date or id that gives an empty or misleading answer when pasted")
    func noLiteralDatesOrIDs() throws {
        for (name, text) in try Self.playbooks() {
            for line in Self.commands(in: text) {
                #expect(line.firstMatch(of: /\b20\d\d-\d\d/) == nil, "playbooks/\(name): `\(line)` names a literal date")
                #expect(line.firstMatch(of: /(appointments|users)\.\d/) == nil, "playbooks/\(name): `\(line)` names a literal id")
            }
            #expect(text.firstMatch(of: /appointment \d/) == nil, "playbooks/\(name) names a literal appointment id")
        }
    }

    @Test("every command but demo takes --env-file, so any command pasted on a production shell can load the service's configuration")
    func everyCommandTakesTheEnvFile() {
        func leaves(_ command: any ParsableCommand.Type, path: [String]) -> [(String, any ParsableCommand.Type)] {
            let subcommands = command.configuration.subcommands
            return subcommands.isEmpty ? [(path.joined(separator: " "), command)]
                : subcommands.flatMap { leaves($0, path: path + [$0.configuration.commandName ?? "?"]) }
        }
        let all = leaves(CallctlCommand.self, path: [])
        #expect(all.count > 10)
        for (name, command) in all where name != "demo" {
            #expect(CallctlCommand.helpMessage(for: command).contains("--env-file <path>"), "callctl \(name) has no --env-file")
        }
    }

    @Test("the command extractor reads only sh fences, splits like sh and fills placeholders")
    func extractor() throws {
        let text = "```sh\ncallctl outbox status\n```\n```\ncallctl not-this\n```\n```sh\n  callctl kpi --tz 'Europe/Berlin'\n```\n"
        #expect(Self.commands(in: text) == ["callctl outbox status", "callctl kpi --tz 'Europe/Berlin'"])
        #expect(try Self.words("callctl diagnose echo --token \"$UNSET_IN_TESTS\" --channel private-appointments.<appointment-id>")
            == ["callctl", "diagnose", "echo", "--token", "", "--channel", "private-appointments.42"])
        #expect(try Self.words("callctl kpi --from $(echo 2026-01-01) --to 'a b'") == ["callctl", "kpi", "--from", "2026-01-01", "--to", "a b"])
        #expect(try Self.words("callctl outbox status --format json | jq .backlog") == nil)
        #expect(try Self.words("callctl kpi --from ''") == ["callctl", "kpi", "--from", ""])
        #expect(throws: (any Error).self) { try Self.words("callctl probe turn <no-such-placeholder>") }
    }

    @Test("a command with an unknown flag fails the check")
    func unknownFlagFails() {
        #expect(throws: (any Error).self) { try CallctlCommand.parseAsRoot(["jobs", "reap", "--dry-runn"]) }
        #expect(throws: (any Error).self) { try CallctlCommand.parseAsRoot(["diagnose", "nothing"]) }
    }
}

/// A playbook placeholder without a sample value in ``PlaybookCommandTests/samples``.
struct UnknownPlaceholder: Error, CustomStringConvertible {
    let name: String
    var description: String { "the placeholder <\(name)> has no sample value in PlaybookCommandTests.samples" }
}
