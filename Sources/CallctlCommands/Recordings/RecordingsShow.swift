import ArgumentParser
import CallStore
import Foundation

/// `callctl recordings show <appointment-id>`: one appointment's recording history.
struct RecordingsShow: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one appointment's recordings: consents, starts and stops, violations, files, downloads and purges.",
        discussion: """
        For each call of the appointment with recording activity: the doctor's and the \
        patient's latest consent, whether it is recorded now, and its audit trail (consents \
        granted and withdrawn, recording started and stopped with the reason, files announced, \
        refused as violations, and deleted); then each file: its id, storage location (the \
        key in the recording storage, not a link), size, length, when it was received, when \
        recording.retention makes it due, its status (available, overdue, purge_failing, \
        purged), the purge's attempts and last error, and every download (when, who, IP, user \
        agent). Times in --tz; JSON times are UTC.

        Exit codes: 0 shown (also "no recording activity"), 1 no such appointment, 64 usage, \
        69 database unavailable, 78 bad configuration or callctl's schema missing.

        Examples:
          callctl recordings show <appointment-id> --env-file /etc/callctl/callctl.env
          callctl recordings show <appointment-id> --tz Europe/Berlin
          callctl recordings show <appointment-id> --format json | jq '.calls[].files[].downloads'
        """
    )

    @Argument(help: ArgumentHelp("The appointment's id.", valueName: "appointment-id")) var appointmentId: Int64
    @Option(name: .long, help: "Result format: text or json.") var format: OutputFormat = .text
    @OptionGroup var zone: TimeZoneOption
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard appointmentId > 0 else { throw ValidationError("the appointment id must be a positive number; got \(appointmentId)") }
    }

    func run(in context: CommandContext) async throws {
        try await context.reportingFailures(logging: logging) {
            let session = try context.session(database: database, logging: logging, label: "callctl.recordings")
            let now = session.now()
            let id = appointmentId
            let read = try await session.withConnection { connection in
                let settings = try SettingsStore(connection: connection).resolve().settings
                return try RecordingReportQuery.report(appointmentId: id, settings: settings, now: now, on: connection)
            }
            guard let report = read else {
                throw Failure(message: "there is no appointment \(id) in this database: check the id (`callctl recordings list "
                    + "--since 7d` lists recent files) and that --env-file or DATABASE_URL point at the production database",
                              exitCode: Failure.failed)
            }
            switch format {
            case .json: try session.output.json(report, keys: .convertToSnakeCase)
            case .text: RecordingReportText(report: report, timeZone: zone.zone, zoneName: zone.tz).lines().forEach(session.output.line)
            }
        }
    }
}
