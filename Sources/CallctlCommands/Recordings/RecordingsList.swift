import ArgumentParser
import CallDomain
import CallStore
import Foundation
import Postgres

/// `callctl recordings list`: one line per recording file, newest first, with filters.
struct RecordingsList: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List recording files, newest first, with their retention status.",
        discussion: """
        One line per file the recording service announced: its appointment, status, when it \
        was received, size, length, when recording.retention makes it due for `jobs \
        purge-recordings`, how often it was downloaded, and its storage location (or the \
        purge's last error, or when it was purged). The status is purged; purge_failing (the \
        purge tried and the storage refused: not deleted yet); overdue (past its due time, \
        not purged: is the purge job running?); else available. Without --since every file \
        is listed (up to --limit); with it, the files received or purged in that long.

        Exit codes: 0 listed (even none), 64 usage, 69 database unavailable, 78 bad configuration.

        Examples:
          callctl recordings list --env-file /etc/callctl/callctl.env
          callctl recordings list --since 24h
          callctl recordings list --status overdue --format json | jq length
          callctl recordings list --appointment <appointment-id>
        """
    )

    @Option(name: .long, help: ArgumentHelp("Files received or purged in this long (30m, 24h, 7d); default: all.", valueName: "duration"))
    var since: String?
    @Option(name: .long, help: ArgumentHelp("Only this appointment's files.", valueName: "appointment-id")) var appointment: Int64?
    @Option(name: .long, help: "Only files with this status.") var status: RecordingFileStatus?
    @Option(name: .long, help: "At most this many files (1 to 10000).") var limit = 100
    @Option(name: .long, help: "Result format: text or json.") var format: OutputFormat = .text
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions

    /// The longest `--since`: ten years, the longest `recording.retention`.
    static let longestSince = 3650 * 86_400

    func validate() throws {
        if let since, !(1...Self.longestSince).contains(DurationText.seconds(from: since) ?? 0) {
            throw ValidationError("--since must be a positive duration up to 3650d such as 30m, 24h or 7d; got '\(since.prefix(32))'")
        }
        guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be 1 to 10000; got \(limit)") }
        if let appointment, appointment <= 0 {
            throw ValidationError("--appointment must be an appointment id (a positive number); got \(appointment)")
        }
    }

    func run(in context: CommandContext) async throws {
        try await context.reportingFailures(logging: logging) {
            let session = try context.session(database: database, logging: logging, label: "callctl.recordings")
            let now = session.now()
            let start = since.flatMap(DurationText.seconds(from:)).map { now.addingTimeInterval(-Double($0)) }
            let filter = RecordingListFilter(since: start, appointmentId: appointment, status: status, limit: limit)
            let files = try await session.withConnection { connection in
                let settings = try SettingsStore(connection: connection).resolve().settings
                return try RecordingReportQuery.files(filter, settings: settings, now: now, on: connection)
            }
            switch format {
            case .json: try session.output.json(files, keys: .convertToSnakeCase)
            case .text where files.isEmpty: session.output.line("no recording files" + (filtered ? " match the filters" : ""))
            case .text:
                var table = TextTable("RECORDING", "APPOINTMENT", "STATUS", "RECEIVED (UTC)", "SIZE", "LENGTH", "PURGE DUE (UTC)",
                                      "DOWNLOADS", "LOCATION / PURGE")
                for file in files {
                    table.add(file.recordingId, "\(file.appointmentId)", file.status.rawValue, PGTimestamp.formatSeconds(file.receivedAt),
                              RecordingFileText.size(file.sizeBytes), DurationText.format(seconds: file.durationSeconds),
                              PGTimestamp.formatSeconds(file.purgeDueAt), "\(file.downloads.count)",
                              RecordingFileText.whereabouts(file, time: PGTimestamp.formatSeconds))
                }
                table.render().forEach(session.output.line)
                session.output.line(ReadableText.count(files.count, "recording file")
                    + (files.count == limit ? " (the newest \(limit); raise --limit for more)" : ""))
            }
        }
    }

    private var filtered: Bool { since != nil || appointment != nil || status != nil }
}

extension RecordingFileStatus: ExpressibleByArgument {}
