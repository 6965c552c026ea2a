/// Every migration this binary knows, in version order.
public enum MigrationCatalog {
    /// The migrations, versions 1...n without gaps.
    public static let all: [Migration] = [people, appointments, callSessions, callEvents, outbox, settings, kpiIndexes, hubTables,
                                          outboxDestinations, callStory, iceHealth, jobKeysetIndexes, brokerTables, recordingTables,
                                          recordingFiles, webhookTables, tenantSettings]

    /// The newest version this binary knows.
    public static var latestVersion: Int64 { all.last?.version ?? 0 }
}
