import ArgumentParser
import CallDomain
import CallStore
import Foundation

/// `callctl call show <appointment-id | call-id>`: one consultation's story on one screen.
struct CallShow: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one consultation: appointment, calls with every step, refusals, events and their delivery, a verdict.",
        discussion: """
        Give an appointment id or a call id (UUID). Prints the appointment (status, window in \
        --tz, doctor and patient), every call session with its audited steps (actor, time, IP, \
        user agent, request id), the busy refusals, every event published on \
        private-appointments.{id} with its created, relayed and published times, the external \
        server's last error and the users subscribed to the channel when it went out, the \
        channel's subscriptions (kept a day), and a verdict: what happened to the last call \
        and where it first went wrong.

        Users on the channel are known for the authorizations callctl's /broadcasting/auth \
        signed; when another endpoint signs them, they are counted as unknown sockets.

        Exit codes: 0 shown, 1 no such appointment or call, 69 database unavailable, 78 bad \
        configuration or callctl's schema missing.

        Examples:
          callctl call show <appointment-id> --env-file /etc/callctl/callctl.env
          callctl call show <call-id> --tz Europe/Berlin
          callctl call show <appointment-id> --format json | jq .verdict
        """
    )

    @OptionGroup var story: CallStoryOptions

    func run(in context: CommandContext) async throws {
        try await context.reportingFailures(logging: story.logging) {
            let (session, read, verdict) = try await story.read(in: context, label: "callctl.call")
            switch story.format {
            case .json: try session.output.json(CallStoryReport(story: read, verdict: verdict, timeZone: story.zone.tz),
                                                keys: .convertToSnakeCase)
            case .text: story.text(read, verdict).lines().forEach(session.output.line)
            }
        }
    }

    /// Reads `target`'s story and concludes it, or fails with exit 1 when there is none.
    static func read(_ target: CallStoryTarget, session: CommandSession,
                     timeZone: TimeZone) async throws -> (CallStory, CallStoryVerdict) {
        let now = session.now()
        let read = try await session.withConnection { connection in
            let settings = try SettingsStore(connection: connection).resolve().settings
            return try CallStoryQuery.read(target, settings: settings, on: connection).map { ($0, settings) }
        }
        guard let (story, settings) = read else {
            let what = switch target {
            case .appointment(let id): "appointment \(id)"
            case .call(let id): "call \(id.uuidString.lowercased())"
            }
            throw Failure(message: "there is no \(what) in this database: check the id (`callctl call list --since 24h` lists "
                + "recent calls) and that --env-file or DATABASE_URL point at the production database", exitCode: Failure.failed)
        }
        return (story, CallStoryVerdict(story, settings: settings, now: now, timeZone: timeZone))
    }
}

/// `call show --format json`: the story's `appointment`, `sessions`, `refusals`, `events` and
/// `channel` (snake_case keys, times in UTC), the `verdict` `{code, message}` and `time_zone`.
struct CallStoryReport: Encodable {
    let story: CallStory
    let verdict: CallStoryVerdict
    let timeZone: String

    private enum CodingKeys: String, CodingKey { case verdict, timeZone }

    func encode(to encoder: any Encoder) throws {
        try story.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(verdict, forKey: .verdict)
        try container.encode(timeZone, forKey: .timeZone)
    }
}
