/// Deletes recording objects: the storage backend (a local directory or an S3 bucket) that the
/// command layer gives `jobs purge-recordings` through ``JobParameters``.
public protocol RecordingObjectDeleter: Sendable {
    /// Where the objects live, for reports and errors (never a secret).
    var location: String { get }
    /// Deletes the object at `key`; an object already gone counts as deleted. Blocking.
    /// - Throws: an error whose description says what failed and what to do (never a secret).
    func deleteObject(key: String) throws
}
