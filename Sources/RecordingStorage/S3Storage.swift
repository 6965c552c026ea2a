import Foundation
import HTTPClient

/// Recordings in an S3-compatible bucket, addressed path-style (`{endpoint}/{bucket}/{prefix}{key}`)
/// and signed with SigV4.
public struct S3Storage: RecordingStorage {
    /// `scheme://host[:port]`, without a trailing `/`.
    public let endpoint: String
    /// The `Host` header curl sends for `endpoint` (the port only when it is not the scheme's default).
    let host: String
    public let bucket: String
    /// Empty, or ending with `/`.
    public let prefix: String
    let signer: SigV4
    let timeout: Duration

    public var location: String { "s3://\(bucket)/\(prefix) at \(endpoint)" }

    init(endpoint: String, host: String, bucket: String, prefix: String, signer: SigV4, timeout: Duration = .seconds(10)) {
        self.endpoint = endpoint
        self.host = host
        self.bucket = bucket
        self.prefix = prefix
        self.signer = signer
        self.timeout = timeout
    }

    /// `DELETE /{bucket}/{prefix}{key}`, signed in the `Authorization` header. 200 or 204 is
    /// deleted (S3 answers 204 for a key that does not exist).
    public func delete(key: RecordingKey) throws(StorageError) {
        try delete(key: key, now: Date())
    }

    func delete(key: RecordingKey, now: Date) throws(StorageError) {
        let path = objectPath(key)
        let signed = [("host", host), ("x-amz-content-sha256", SigV4.emptyPayloadHash), ("x-amz-date", SigV4.timestamp(now))]
        let authorization = signer.authorization(method: "DELETE", path: path, headers: signed,
                                                 payloadHash: SigV4.emptyPayloadHash, date: now)
        let request = HTTPRequest(method: "DELETE", url: endpoint + path,
                                  headers: [("Host", host), ("x-amz-content-sha256", SigV4.emptyPayloadHash),
                                            ("x-amz-date", SigV4.timestamp(now)), ("Authorization", authorization)],
                                  timeout: timeout)
        let response: HTTPResponse
        do {
            response = try HTTPClient.send(request)
        } catch {
            throw StorageError("cannot delete \(key) from \(location): \(error.description); check AWS_ENDPOINT_URL and that the storage is up")
        }
        guard response.status == 204 || response.status == 200 else {
            let code = S3ErrorCode.parse(response.body)
            throw StorageError("cannot delete \(key) from \(location): HTTP \(response.status) \(code ?? "without an S3 error code"); "
                               + S3ErrorCode.advice(code), status: response.status, code: code)
        }
    }

    /// A presigned GET URL (query-string SigV4, `X-Amz-Expires` = whole seconds until `expiresAt`).
    public func downloadURL(key: RecordingKey, expiresAt: Date, now: Date) throws(StorageError) -> String {
        let seconds = try RecordingLinkLifetime.seconds(from: now, to: expiresAt)
        let path = objectPath(key)
        return endpoint + path + "?" + signer.presignedQuery(method: "GET", path: path, host: host, date: now, expiresSeconds: seconds)
    }

    /// `/{bucket}/{prefix}{key}`: all three hold only characters SigV4 leaves unencoded, and `/`.
    private func objectPath(_ key: RecordingKey) -> String {
        SigV4.encode("/\(bucket)/\(prefix)\(key.value)", keepingSlash: true)
    }
}

/// The `<Code>` of an S3 error body, and what to do about the usual ones.
enum S3ErrorCode {
    /// The first `<Code>…</Code>` in the first 64 KiB of `body`, when it is 1 to 64 letters and digits.
    static func parse(_ body: Data) -> String? {
        let text = String(decoding: body.prefix(65_536), as: UTF8.self)
        guard let start = text.range(of: "<Code>"), let end = text.range(of: "</Code>", range: start.upperBound..<text.endIndex) else {
            return nil
        }
        let code = text[start.upperBound..<end.lowerBound]
        guard (1...64).contains(code.count), code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else { return nil }
        return String(code)
    }

    /// The next step for `code`.
    static func advice(_ code: String?) -> String {
        switch code {
        case "NoSuchBucket": "check the bucket in CALLCTL_RECORDING_STORAGE, and AWS_ENDPOINT_URL and AWS_REGION"
        case "SignatureDoesNotMatch": "check AWS_SECRET_ACCESS_KEY and AWS_REGION"
        case "InvalidAccessKeyId": "check AWS_ACCESS_KEY_ID"
        case "AccessDenied": "grant these credentials s3:DeleteObject on the bucket"
        default: "check the storage's logs"
        }
    }
}
