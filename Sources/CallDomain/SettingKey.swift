import Foundation

/// Every runtime setting, by its stable dotted name in the `settings` table and on the CLI.
public enum SettingKey: String, Sendable, Equatable, Hashable, CaseIterable {
    /// How long before `scheduled_at` the window opens.
    case windowLead = "window.lead"
    /// How long after the scheduled end the window stays open.
    case windowGrace = "window.grace"
    /// How long a call may ring unanswered.
    case ringingTimeout = "timeouts.ringing"
    /// How long an accepted call may take to connect.
    case connectTimeout = "timeouts.connect"
    /// How long a connected call may go without a heartbeat.
    case heartbeatTimeout = "timeouts.heartbeat"
    /// How long a connected call may last in all.
    case maxCallDuration = "timeouts.max_call"
    /// How long an `in_progress` appointment may sit without an open call.
    case zombieAppointmentTimeout = "timeouts.zombie_appointment"
    /// The PHP namespace event names are published under.
    case eventsNamespace = "events.namespace"
    /// Whether only the doctor may request a call.
    case requestDoctorOnly = "policy.request_doctor_only"
    /// Whether the callee's accept happens server-side (development).
    case autoAccept = "calls.auto_accept"
    /// Which of the callee's own channels rings also go to.
    case userChannel = "events.user_channel"
    /// How long a recording is kept before `jobs purge-recordings` deletes it.
    case recordingRetention = "recording.retention"
    /// Who may subscribe to which channel: a ``ChannelRuleSet`` text.
    case channelRules = "channels.rules"

    /// Everything about this setting, in one place: its summary, the ``CallSettings`` field it
    /// fills and what it accepts. A new setting is a case, its field and its arm here.
    public var definition: SettingDefinition {
        switch self {
        case .windowLead:
            SettingDefinition("how long before the scheduled time participants may call",
                              .duration(\.leadSeconds, allowed: 0...SettingDefinition.day))
        case .windowGrace:
            SettingDefinition("how long after the scheduled end participants may still call",
                              .duration(\.graceSeconds, allowed: 0...SettingDefinition.day))
        case .ringingTimeout:
            SettingDefinition("how long a call may ring unanswered before it times out",
                              .duration(\.ringingTimeoutSeconds, allowed: 1...SettingDefinition.day))
        case .connectTimeout:
            SettingDefinition("how long an accepted call may take to connect",
                              .duration(\.connectTimeoutSeconds, allowed: 1...SettingDefinition.day))
        case .heartbeatTimeout:
            SettingDefinition("how long a connected call may go without a heartbeat",
                              .duration(\.heartbeatTimeoutSeconds, allowed: 1...SettingDefinition.day))
        case .maxCallDuration:
            SettingDefinition("how long a connected call may last in all before the reaper ends it (max_duration)",
                              .duration(\.maxCallSeconds, allowed: 60...SettingDefinition.day))
        case .zombieAppointmentTimeout:
            SettingDefinition("how long an in_progress appointment may stay without a call before it is completed",
                              .duration(\.zombieAppointmentTimeoutSeconds, allowed: 1...SettingDefinition.day))
        case .eventsNamespace:
            SettingDefinition("PHP namespace of published event names", .namespace(\.eventNamespace))
        case .requestDoctorOnly:
            SettingDefinition("whether only the doctor may request a call", .flag(\.requestRestrictedToDoctor))
        case .autoAccept:
            SettingDefinition("whether the callee accepts automatically (development; refused in production)",
                              .flag(\.autoAccept))
        case .userChannel:
            SettingDefinition("the callee's own channel rings and cancellations also go to",
                              .choice(\.userChannel, options: UserChannel.allCases.map(\.rawValue)))
        case .recordingRetention:
            SettingDefinition("how long a recording is kept after it was received before jobs purge-recordings deletes it",
                              .duration(\.recordingRetentionSeconds, allowed: SettingDefinition.day...(3650 * SettingDefinition.day)),
                              perTenant: true)
        case .channelRules:
            SettingDefinition("who may subscribe to which channel (unless CALLCTL_CHANNEL_RULES names a file): callctl channels rules",
                              .rules(\.channelRules))
        }
    }

    /// A one-line description for `config` listings.
    public var summary: String { definition.summary }

    /// Whether a tenant may override it (``SettingDefinition/perTenant``).
    public var isPerTenant: Bool { definition.perTenant }

    /// The value used when the `settings` table has no valid row for this key.
    public var defaultValue: SettingValue { CallSettings.defaults[self] }

    /// The allowed seconds for a duration setting (as its definition says; 24 h unless a
    /// setting needs longer); nil for the others.
    public var allowedSeconds: ClosedRange<Int>? {
        if case .duration(_, let range) = definition.field { return range }
        return nil
    }

    /// Reads a value typed on the command line, validated.
    ///
    /// Durations take `900` (seconds), `90s`, `15m`, `1h30m`, `30d`; the namespace takes `App\Events`
    /// (single backslashes); the flag takes `true`/`false` (also `yes`/`no`, `on`/`off`).
    public func parse(cliText: String) throws(DomainError) -> SettingValue {
        let text = cliText.trimmingCharacters(in: .whitespacesAndNewlines)
        switch definition.field {
        case .duration(_, let range):
            guard let seconds = DurationText.seconds(from: text) else {
                throw DomainError(
                    .validation,
                    "\(rawValue) takes a duration such as 900 (seconds), 90s, 15m, 1h30m or 2d; got \"\(cliText)\"."
                )
            }
            try check(seconds, in: range, shown: text)
            return .number(Double(seconds))
        case .namespace, .choice:
            return try validate(.string(text))
        case .rules:
            return try validate(.string(cliText))
        case .flag:
            switch text.lowercased() {
            case "true", "yes", "on": return .bool(true)
            case "false", "no", "off": return .bool(false)
            default: throw DomainError(.validation, "\(rawValue) takes true or false; got \"\(cliText)\".")
            }
        }
    }

    /// Checks a stored value: durations must be JSON numbers of whole seconds in
    /// ``allowedSeconds``, the namespace a PHP namespace string, the flag a JSON boolean, channel
    /// rules a string ``ChannelRuleSet`` reads.
    /// Returns the value unchanged when it is valid.
    public func validate(_ value: SettingValue) throws(DomainError) -> SettingValue {
        switch (definition.field, value) {
        case (.duration(_, let range), .number(let number)):
            guard let seconds = Int(exactly: number) else {
                throw DomainError(.validation, "\(rawValue) must be a whole number of seconds; got \(value).")
            }
            try check(seconds, in: range, shown: DurationText.format(seconds: seconds))
        case (.namespace, .string(let text)):
            guard Self.isPHPNamespace(text) else {
                throw DomainError(
                    .validation,
                    "\(rawValue) must be a PHP namespace such as App\\Events (names of letters, digits and _, "
                        + "not starting with a digit, separated by single backslashes); got \"\(text)\"."
                )
            }
        case (.flag, .bool):
            break
        case (.rules, .string(let text)):
            do {
                _ = try ChannelRuleSet.cached(text)
            } catch {
                throw DomainError(.validation, "\(rawValue) is not a valid rule set: \(error.description.replacingOccurrences(of: "\n", with: "; "))")
            }
        case (.choice(_, let options), .string(let text)):
            guard options.contains(text) else {
                throw DomainError(.validation, "\(rawValue) must be one of \(options.joined(separator: ", ")); got \"\(text)\".")
            }
        case (.duration, _):
            throw DomainError(.validation, "\(rawValue) must be a JSON number of seconds; got \(value).")
        case (.namespace, _):
            throw DomainError(.validation, "\(rawValue) must be a JSON string; got \(value).")
        case (.flag, _):
            throw DomainError(.validation, "\(rawValue) must be a JSON boolean; got \(value).")
        case (.choice, _), (.rules, _):
            throw DomainError(.validation, "\(rawValue) must be a JSON string; got \(value).")
        }
        return value
    }

    /// Formats a value for display: durations as `15m`, `1h30m` or `90s`, channel rules as their
    /// count, the rest as typed.
    public func format(_ value: SettingValue) -> String {
        switch (definition.field, value) {
        case (.duration, .number(let number)):
            if let seconds = Int(exactly: number) { return DurationText.format(seconds: seconds) }
            return "\(value)s"
        case (.rules, .string(let text)):
            let count = (try? ChannelRuleSet.cached(text))?.rules.count
            return count.map { "\($0) rules (callctl channels rules show)" } ?? "invalid rules (callctl channels rules show)"
        case (_, .string(let text)): return text
        case (_, .number), (_, .bool): return value.description
        }
    }

    private func check(_ seconds: Int, in range: ClosedRange<Int>, shown: String) throws(DomainError) {
        guard range.contains(seconds) else {
            let low = DurationText.format(seconds: range.lowerBound)
            let high = DurationText.format(seconds: range.upperBound)
            throw DomainError(.validation, "\(rawValue) must be between \(low) and \(high); got \(shown).")
        }
    }

    private static func isPHPNamespace(_ text: String) -> Bool {
        let names = text.split(separator: "\\", omittingEmptySubsequences: false)
        return names.allSatisfy { name in
            guard let first = name.unicodeScalars.first, !isASCIIDigit(first) else { return false }
            return name.unicodeScalars.allSatisfy { isASCIIDigit($0) || isASCIILetter($0) || $0 == "_" }
        }
    }

    private static func isASCIIDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }

    private static func isASCIILetter(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
    }
}
