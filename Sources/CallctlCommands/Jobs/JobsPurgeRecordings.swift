import ArgumentParser
import CallStore

/// `callctl jobs purge-recordings`: deletes recordings past their retention.
struct JobsPurgeRecordings: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge-recordings",
        abstract: "Delete recordings older than recording.retention from the storage, then clear their location.",
        discussion: """
        Claims recordings received more than recording.retention ago (default 30d; callctl \
        config set recording.retention 90d) that are not purged yet, deletes each object from \
        the storage in CALLCTL_RECORDING_STORAGE (a local directory, file:///var/lib/callctl/recordings \
        by default, or an S3-compatible bucket, s3://bucket/prefix with AWS_ENDPOINT_URL, \
        AWS_REGION, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), and only then marks the row \
        purged, clears appointments.video_recording_url when nothing else of the appointment is \
        left, and writes the recording_deleted audit row and the AppointmentRecordingDeleted \
        outbox event, one transaction per batch. An object already gone counts as deleted. A \
        deletion the storage refuses keeps its row, records the attempt and the error, and is \
        retried on the next run; the run then exits 1 (playbooks/recordings-not-purged.md). \
        --dry-run lists what is due without touching the storage or the database.

        Results go to stdout, logs (JSON lines unless stderr is a terminal) to stderr.

        Examples:
          callctl jobs purge-recordings --env-file /etc/callctl/callctl.env
          callctl jobs purge-recordings --dry-run --format json | jq .recording_ids
          callctl jobs purge-recordings --metrics-file $TEXTFILE_DIR/callctl_purge_recordings.prom
          callctl jobs purge-recordings --dry-run --now 2027-01-01T00:00:00Z
        """
    )

    @OptionGroup var job: JobOptions
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions

    func run(in context: CommandContext) async throws {
        try await context.reportingFailures(logging: logging) {
            let environment = try context.session(database: database, logging: logging, label: "callctl.jobs").environment
            let objects = StorageObjects(storage: try RecordingStorageSettings.storage(environment))
            try await JobHarness(options: job, database: database, logging: logging)
                .run(in: context, PurgeRecordingsJob.self, recordingObjects: objects)
        }
    }
}
