import ArgumentParser
import CallStore
import Postgres

/// `callctl jobs reap`: closes zombie calls and appointments.
struct JobsReap: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "reap",
        abstract: "End calls that outlived their timeout and complete appointments left without a call.",
        discussion: """
        Ends ringing calls older than timeouts.ringing (timeout_no_answer), accepted calls \
        that did not connect within timeouts.connect (connect_timeout), and connected calls \
        without a heartbeat for timeouts.heartbeat (heartbeat_lost; the appointment becomes \
        completed with ended_at). Then completes in_progress appointments that have had no \
        open call for timeouts.zombie_appointment. "Older than" is strict: a call exactly at \
        its timeout is kept. Each ended call writes an audit row and an AppointmentCallEnded \
        outbox event in the same transaction; a completed zombie appointment writes an audit \
        row (there is no event for it). Timeouts are read from the settings table at each run.

        Results go to stdout, logs (JSON lines unless stderr is a terminal) to stderr.

        Examples:
          callctl jobs reap
          callctl jobs reap --format json | jq .by_reason
          callctl jobs reap --metrics-file $TEXTFILE_DIR/callctl_reap.prom
          callctl jobs reap --dry-run --now 2026-03-29T10:01:31Z
        """
    )

    @OptionGroup var job: JobOptions
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions

    func run(in context: CommandContext) async throws {
        try await JobHarness(options: job, database: database, logging: logging).run(in: context, ReapJob.self)
    }
}
