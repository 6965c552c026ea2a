/// The runtime settings the rules read, with their defaults (docs/design.md "Rules").
///
/// Read from the `settings` table at each use with ``resolving(_:)``; ``SettingKey`` names and
/// validates each one.
public struct CallSettings: Sendable, Equatable, Hashable {
    /// `window.lead`: seconds before `scheduled_at` the window opens. Default 10 min.
    public var leadSeconds: Int
    /// `window.grace`: seconds after the scheduled end the window stays open. Default 15 min.
    public var graceSeconds: Int
    /// `timeouts.ringing`: seconds a call may ring. Default 30 s.
    public var ringingTimeoutSeconds: Int
    /// `timeouts.connect`: seconds an accepted call may take to connect. Default 60 s.
    public var connectTimeoutSeconds: Int
    /// `timeouts.heartbeat`: seconds a connected call may go without a heartbeat. Default 90 s.
    public var heartbeatTimeoutSeconds: Int
    /// `timeouts.max_call`: seconds a connected call may last in all, heartbeats or not.
    /// Default 4 h.
    public var maxCallSeconds: Int
    /// `timeouts.zombie_appointment`: seconds an `in_progress` appointment may stay without an
    /// open call. Default 10 min.
    public var zombieAppointmentTimeoutSeconds: Int
    /// `events.namespace`: the PHP namespace of event names. Default `App\Events`.
    public var eventNamespace: String
    /// `policy.request_doctor_only`: only the doctor may request a call. Default false.
    public var requestRestrictedToDoctor: Bool
    /// `calls.auto_accept`: the callee's accept happens server-side right after the request
    /// (development); honoured only where the daemon allows it. Default false.
    public var autoAccept: Bool
    /// `events.user_channel`: the callee's own channel that rings and cancellations also go
    /// to (`private-users`, `private-App.Models.User` or `off`). Default `off`: an existing front
    /// end listens on the appointment's channel only, and every ring on a second channel is a
    /// second message an external Pusher bills.
    public var userChannel: String
    /// `recording.retention`: seconds a recording is kept after callctl received it, then
    /// `jobs purge-recordings` deletes it. Default 30 days; 1 day to 10 years.
    public var recordingRetentionSeconds: Int
    /// `channels.rules`: the ``ChannelRuleSet`` text in force when `CALLCTL_CHANNEL_RULES`
    /// names no file. Default ``ChannelRuleSet/defaultText``.
    public var channelRules: String

    /// Creates settings; every argument defaults to the documented default.
    public init(
        leadSeconds: Int = 600, graceSeconds: Int = 900, ringingTimeoutSeconds: Int = 30,
        connectTimeoutSeconds: Int = 60, heartbeatTimeoutSeconds: Int = 90, maxCallSeconds: Int = 14_400,
        zombieAppointmentTimeoutSeconds: Int = 600, eventNamespace: String = "App\\Events",
        requestRestrictedToDoctor: Bool = false, autoAccept: Bool = false, userChannel: String = UserChannel.off.rawValue,
        recordingRetentionSeconds: Int = 30 * 86_400, channelRules: String = ChannelRuleSet.defaultText
    ) {
        self.leadSeconds = leadSeconds
        self.graceSeconds = graceSeconds
        self.ringingTimeoutSeconds = ringingTimeoutSeconds
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.heartbeatTimeoutSeconds = heartbeatTimeoutSeconds
        self.maxCallSeconds = maxCallSeconds
        self.zombieAppointmentTimeoutSeconds = zombieAppointmentTimeoutSeconds
        self.eventNamespace = eventNamespace
        self.requestRestrictedToDoctor = requestRestrictedToDoctor
        self.autoAccept = autoAccept
        self.userChannel = userChannel
        self.recordingRetentionSeconds = recordingRetentionSeconds
        self.channelRules = channelRules
    }

    /// The callee's channel a ring also goes to, or nil when `events.user_channel` is `off`.
    public func ringChannel(for userId: Int64) -> ChannelName? {
        UserChannel(rawValue: userChannel)?.channel(for: userId)
    }

    /// The defaults.
    public static let defaults = CallSettings()

    /// The current value of `key`, as it would be stored.
    public subscript(key: SettingKey) -> SettingValue { key.definition.value(in: self) }

    /// Settings from the rows of the `settings` table (key → stored value).
    ///
    /// Missing keys keep their defaults. An unknown key, or a value that fails
    /// ``SettingKey/validate(_:)``, is ignored (the default stays) and reported in
    /// ``SettingsResolution/problems``, sorted by key, so a bad row never stops a job.
    public static func resolving(_ stored: [String: SettingValue]) -> SettingsResolution {
        var settings = CallSettings.defaults
        var problems: [SettingProblem] = []
        for (name, value) in stored.sorted(by: { $0.key < $1.key }) {
            guard let key = SettingKey(rawValue: name) else {
                problems.append(SettingProblem(key: name, message: "Unknown setting \(name) is ignored."))
                continue
            }
            do {
                key.definition.assign(try key.validate(value), to: &settings)
            } catch {
                problems.append(SettingProblem(
                    key: name, message: "\(error.message) Using the default, \(key.format(key.defaultValue))."
                ))
            }
        }
        return SettingsResolution(settings: settings, problems: problems)
    }
}

/// The outcome of ``CallSettings/resolving(_:)``.
public struct SettingsResolution: Sendable, Equatable {
    /// The settings in force.
    public let settings: CallSettings
    /// Rows that were ignored, and why.
    public let problems: [SettingProblem]

    /// Creates a resolution.
    public init(settings: CallSettings, problems: [SettingProblem]) {
        self.settings = settings
        self.problems = problems
    }
}

/// A `settings` row that was ignored.
public struct SettingProblem: Sendable, Equatable, Hashable {
    /// The row's key as stored.
    public let key: String
    /// A sentence saying what is wrong and what is used instead.
    public let message: String

    /// Creates a problem report.
    public init(key: String, message: String) {
        self.key = key
        self.message = message
    }
}
