import Foundation

/// Where a consultation's recording files live: the cron job that expires recordings deletes
/// them through it, and the daemon hands participants short-lived download URLs from it.
/// ``RecordingStorages/from(environment:)`` picks the backend.
public protocol RecordingStorage: Sendable {
    /// Where the objects live, for reports and errors (never a secret), e.g.
    /// `directory /var/lib/callctl/recordings` or `s3://bucket/prefix/ at http://127.0.0.1:5000`.
    var location: String { get }

    /// Deletes the object; an object already gone counts as deleted. Blocking (unlink or a
    /// libcurl transfer): callers run it off the cooperative pool.
    func delete(key: RecordingKey) throws(StorageError)

    /// A URL that lets its holder GET the object until `expiresAt`, which must lie 1 s to
    /// ``RecordingLinkLifetime/maximumSeconds`` after `now`.
    func downloadURL(key: RecordingKey, expiresAt: Date, now: Date) throws(StorageError) -> String
}

/// The bounds of a download URL's lifetime, the same for every backend (S3 allows at most 7 days).
public enum RecordingLinkLifetime {
    /// 7 days, S3's limit for a presigned URL.
    public static let maximumSeconds = 604_800

    /// The whole seconds from `now` to `expiresAt`, or an error when they are not 1...7 days.
    static func seconds(from now: Date, to expiresAt: Date) throws(StorageError) -> Int {
        let interval = expiresAt.timeIntervalSince(now)
        guard interval.isFinite, interval >= 1, interval <= Double(maximumSeconds) else {
            throw StorageError("a download URL must expire 1 s to 7 days (\(maximumSeconds) s) after it is made; "
                               + "this one would expire \(interval.isFinite ? "\(Int(interval.rounded(.down))) s" : "never") after now")
        }
        return Int(interval.rounded(.down))
    }
}
