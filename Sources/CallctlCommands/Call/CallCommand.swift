import ArgumentParser
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
