import CallDomain
import CallStore
import CallctlConfig
import Foundation

/// A rule in `channels … --format json`.
struct ChannelRuleJSON: Encodable {
    let line: Int
    let pattern: String
    let rule: String
    let parameters: [String]
    @NullWhenAbsent var lockMode: String?

    init(_ rule: ChannelRule) {
        line = rule.line
        pattern = rule.pattern.description
        self.rule = rule.kind.text
        parameters = rule.pattern.parameters
        if case .lock(_, _, let mode) = rule.kind { lockMode = mode.rawValue }
    }

    enum CodingKeys: String, CodingKey {
        case line, pattern, rule, parameters
        case lockMode = "lock_mode"
    }
}

/// `channels rules show|check|set --format json`.
struct ChannelRulesJSON: Encodable {
    let source: String
    let valid: Bool
    let rules: [ChannelRuleJSON]
    let problems: [ChannelRuleProblemJSON]
}

/// A bad line in `channels rules check --format json`.
struct ChannelRuleProblemJSON: Encodable {
    let line: Int
    let message: String
}

/// What the rules commands share: reading a rules file and printing a set or its problems.
enum ChannelRulesReport {
    /// The text of the rules file at `path`, bounded as the daemon bounds it.
    static func read(_ path: String) throws -> String {
        switch SmallFile.read(path, limit: ChannelRulesSource.maximumFileBytes) {
        case .unreadable:
            throw Failure(message: "cannot read \(path); check the path", exitCode: Failure.failed)
        case .tooLarge:
            throw Failure(message: "\(path) is larger than \(ChannelRulesSource.maximumFileBytes) bytes; a rules file holds at most "
                + "\(ChannelRuleSet.maximumRules) rules", exitCode: Failure.failed)
        case .data(let data):
            guard let text = String(data: data, encoding: .utf8) else {
                throw Failure(message: "\(path) is not UTF-8 text", exitCode: Failure.failed)
            }
            return text
        }
    }

    /// The text and set of the rules file `file`; nil after printing its problems, as JSON on
    /// `output` or as one `file: line N: …` line each on `problems`.
    static func parse(_ file: String, format: OutputFormat, output: Output, problems: Output) throws -> (text: String, rules: ChannelRuleSet)? {
        let text = try read(file)
        do throws(ChannelRulesError) {
            return (text, try ChannelRuleSet(parsing: text))
        } catch {
            switch format {
            case .json: try output.json(json(error, source: file))
            case .text: error.description.split(separator: "\n").forEach { problems.line("\(file): \($0)") }
            }
            return nil
        }
    }

    /// A set as text: each rule on a line, in a table.
    static func lines(_ rules: ChannelRuleSet, source: String) -> [String] {
        var table = TextTable("line", "pattern", "rule")
        for rule in rules.rules { table.add("\(rule.line)", rule.pattern.description, rule.kind.text) }
        return ["\(rules.rules.count) channel rules from \(source):"] + table.render()
    }

    /// A set as JSON.
    static func json(_ rules: ChannelRuleSet, source: String) -> ChannelRulesJSON {
        ChannelRulesJSON(source: source, valid: true, rules: rules.rules.map(ChannelRuleJSON.init), problems: [])
    }

    /// Problems as JSON.
    static func json(_ error: ChannelRulesError, source: String) -> ChannelRulesJSON {
        ChannelRulesJSON(source: source, valid: false, rules: [],
                         problems: error.problems.map { ChannelRuleProblemJSON(line: $0.line, message: $0.message) })
    }
}
