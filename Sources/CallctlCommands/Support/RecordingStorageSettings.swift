import CallStore
import CallctlConfig
import RecordingStorage

/// The recording storage from the environment (and `--env-file`), for `serve`'s downloads and
/// `jobs purge-recordings`' deletions; a malformed setting exits 78 with the variable to fix.
enum RecordingStorageSettings {
    /// The shared secret of `POST /webhooks/recording`.
    static let webhookSecretVariable = "CALLCTL_RECORDING_WEBHOOK_SECRET"

    /// Every variable the storage reads.
    private static let variables = [
        RecordingStorages.storageVariable, RecordingStorages.linkBaseVariable, RecordingStorages.linkSecretVariable,
        "AWS_ENDPOINT_URL", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
    ]

    /// The configured storage (`CALLCTL_RECORDING_STORAGE`, default the local directory).
    static func storage(_ environment: Environment) throws -> any RecordingStorage {
        var values: [String: String] = [:]
        for name in variables { values[name] = environment[name] }
        do {
            return try RecordingStorages.from(environment: values)
        } catch {
            throw Failure(message: error.description, exitCode: Failure.configuration)
        }
    }
}

/// The storage as `jobs purge-recordings` deletes from it.
struct StorageObjects: RecordingObjectDeleter {
    let storage: any RecordingStorage

    var location: String { storage.location }

    func deleteObject(key: String) throws {
        try storage.delete(key: try RecordingKey(key))
    }
}
