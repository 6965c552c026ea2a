import ArgumentParser

/// `callctl recordings`: the recording files and each appointment's recording history.
struct RecordingsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recordings",
        abstract: "List recording files, or show one appointment's consents, recordings, downloads and purges.",
        discussion: """
        Examples:
          callctl recordings list --since 24h
          callctl recordings list --status purge_failing --format json
          callctl recordings show <appointment-id>
        """,
        subcommands: [RecordingsList.self, RecordingsShow.self]
    )
}
