/// A recording storage operation that failed: what failed, where, and what to do next. Never
/// holds a secret (no credentials, no link secret, no signed URL).
public struct StorageError: Error, CustomStringConvertible, Sendable {
    /// The whole message.
    public let description: String
    /// The HTTP status the storage answered, when it answered one.
    public let status: Int?
    /// S3's error `<Code>` (`NoSuchBucket`, `AccessDenied`, `SignatureDoesNotMatch`, …), when it sent one.
    public let code: String?

    init(_ description: String, status: Int? = nil, code: String? = nil) {
        self.description = description
        self.status = status
        self.code = code
    }
}
