import ArgumentParser
import CallStore
import Postgres

/// `callctl jobs no-show`: marks appointments nobody joined.
struct JobsNoShow: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "no-show",
        abstract: "Mark no_show every scheduled appointment whose access window closed with nobody joining.",
        discussion: """
        An appointment is due when its status is scheduled, it never started, and \
        scheduled_at + duration_minutes + window.grace lies before now (strictly: at the \
        closing second it is still open). Any open call of it ends with window_closed. Each \
        change writes an appointment_call_events row and an outbox event \
        (AppointmentNoShow, AppointmentCallEnded) in the same transaction, then NOTIFY \
        callctl_outbox. window.grace is read from the settings table at each run.

        Results go to stdout, logs (JSON lines unless stderr is a terminal) to stderr.

        Examples:
          callctl jobs no-show
          callctl jobs no-show --format json --metrics-file $TEXTFILE_DIR/callctl_no_show.prom
          callctl jobs no-show --ping-url https://hc-ping.com/<uuid>
          callctl jobs no-show --dry-run --now 2026-03-29T10:45:01Z
        """
    )

    @OptionGroup var job: JobOptions
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions

    func run(in context: CommandContext) async throws {
        try await JobHarness(options: job, database: database, logging: logging).run(in: context, NoShowJob.self)
    }
}
