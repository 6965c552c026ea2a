import ArgumentParser
import CallDomain
import CallStore
import Foundation

/// `callctl call`: one consultation's story, the calls of a period, and ending a stuck call.
struct CallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Show one call's story, list calls, or end a stuck call.",
        discussion: """
        Examples:
          callctl call show <appointment-id>          # or a call id (UUID)
          callctl call list                           # the open calls
          callctl call list --since 24h --end-reason timeout_no_answer --format csv
          callctl call end <call-id> --reason "patient closed the app; call stuck in_call"
        """,
        subcommands: [CallShow.self, CallList.self, CallEnd.self]
    )
}

/// `--tz`: the IANA time zone the call commands write times in.
struct TimeZoneOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("IANA time zone of the times shown (e.g. the tenant's).", valueName: "zone"))
    var tz = "UTC"

    /// The zone; `validate()` has checked it exists.
    var zone: TimeZone { TimeZone(identifier: tz) ?? .gmt }

    func validate() throws {
        guard TimeZone(identifier: tz) != nil else {
            throw ValidationError("--tz must be an IANA time zone name such as Europe/Berlin or UTC; got '\(tz)'")
        }
    }
}

/// What `call show` and `diagnose call` share: the id, the format, the zone, the database and logging.
struct CallStoryOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("An appointment id or a call id (UUID).", valueName: "appointment-id | call-id"))
    var id: String
    @Option(name: .long, help: "Result format: text or json.") var format: OutputFormat = .text
    @OptionGroup var zone: TimeZoneOption
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions

    func validate() throws { _ = try target() }

    /// The appointment or call the id names.
    func target() throws -> CallStoryTarget {
        guard let target = CallStoryTarget(id.trimmingCharacters(in: .whitespaces)) else {
            throw ValidationError("'\(id.prefix(64))' is neither an appointment id (a positive number) nor a call id (a UUID)")
        }
        return target
    }

    /// Resolves the flags in `context` and reads the story with its verdict.
    func read(in context: CommandContext, label: String) async throws -> (CommandSession, CallStory, CallStoryVerdict) {
        let session = try context.session(database: database, logging: logging, label: label)
        let (story, verdict) = try await CallShow.read(try target(), session: session, timeZone: zone.zone)
        return (session, story, verdict)
    }

    /// The story's text in the chosen zone.
    func text(_ story: CallStory, _ verdict: CallStoryVerdict) -> CallStoryText {
        CallStoryText(story: story, verdict: verdict, timeZone: zone.zone, zoneName: zone.tz)
    }
}
