import Crypto
import Foundation

/// AWS Signature Version 4 (`AWS4-HMAC-SHA256`), for one service in one region: the canonical
/// request, the string to sign, the signing key, and the two ways a request carries the
/// signature (the `Authorization` header, or the query string of a presigned URL). Pure: the
/// time is passed in.
public struct SigV4: Sendable {
    /// An access key pair. `description` names neither part.
    public struct Credentials: Sendable, CustomStringConvertible {
        public let accessKeyID: String
        let secretAccessKey: String
        public var description: String { "AWS credentials (redacted)" }

        /// Creates a key pair.
        public init(accessKeyID: String, secretAccessKey: String) {
            self.accessKeyID = accessKeyID
            self.secretAccessKey = secretAccessKey
        }
    }

    /// The SHA-256 of an empty payload, hex.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    static let algorithm = "AWS4-HMAC-SHA256"

    let credentials: Credentials
    /// e.g. `us-east-1`.
    public let region: String
    /// e.g. `s3`.
    public let service: String

    /// A signer for `service` in `region`.
    public init(credentials: Credentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// The `Authorization` header value for a request. `headers` are those to sign, names in
    /// any case (they must include `host` and `x-amz-date`, the latter set to `date`);
    /// `path` is already URI-encoded.
    public func authorization(method: String, path: String, query: [(String, String)] = [], headers: [(String, String)],
                              payloadHash: String, date: Date) -> String {
        let canonical = Self.canonicalRequest(method: method, path: path, query: query, headers: headers, payloadHash: payloadHash)
        let signed = Self.signedHeaderNames(headers)
        return "\(Self.algorithm) Credential=\(credentials.accessKeyID)/\(scope(date)), SignedHeaders=\(signed), "
            + "Signature=\(signature(canonicalRequest: canonical, date: date))"
    }

    /// The query string of a presigned URL for `method path` on `host` (the `Host` header the
    /// client will send, with a non-default port): the `X-Amz-*` parameters, encoded and
    /// sorted, ending with `X-Amz-Signature`. The payload is `UNSIGNED-PAYLOAD`.
    public func presignedQuery(method: String, path: String, host: String, date: Date, expiresSeconds: Int) -> String {
        let parameters = [
            ("X-Amz-Algorithm", Self.algorithm),
            ("X-Amz-Credential", "\(credentials.accessKeyID)/\(scope(date))"),
            ("X-Amz-Date", Self.timestamp(date)),
            ("X-Amz-Expires", String(expiresSeconds)),
            ("X-Amz-SignedHeaders", "host"),
        ]
        let canonical = Self.canonicalRequest(method: method, path: path, query: parameters, headers: [("host", host)],
                                              payloadHash: "UNSIGNED-PAYLOAD")
        return Self.canonicalQuery(parameters) + "&X-Amz-Signature=" + signature(canonicalRequest: canonical, date: date)
    }

    /// The canonical request: method, path, sorted encoded query, lowercased sorted headers
    /// with trimmed values, the signed header names and the payload hash, one per line.
    static func canonicalRequest(method: String, path: String, query: [(String, String)], headers: [(String, String)],
                                 payloadHash: String) -> String {
        let lines = headers.map { (name: $0.0.lowercased(), value: trimmed($0.1)) }.sorted { $0.name < $1.name }
            .map { "\($0.name):\($0.value)\n" }.joined()
        return [method, path, canonicalQuery(query), lines, signedHeaderNames(headers), payloadHash].joined(separator: "\n")
    }

    /// The string to sign for a canonical request made at `date` in this signer's scope.
    func stringToSign(canonicalRequest: String, date: Date) -> String {
        [Self.algorithm, Self.timestamp(date), scope(date), Self.hex(SHA256.hash(data: Data(canonicalRequest.utf8)))]
            .joined(separator: "\n")
    }

    /// The hex signature of a canonical request made at `date`.
    func signature(canonicalRequest: String, date: Date) -> String {
        Self.hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign(canonicalRequest: canonicalRequest, date: date).utf8),
                                                 using: signingKey(date)))
    }

    /// `kSigning`: HMAC chain over the date, region, service and `aws4_request`.
    func signingKey(_ date: Date) -> SymmetricKey {
        var key = SymmetricKey(data: Data("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [Self.day(date), region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        return key
    }

    /// `20130524/us-east-1/s3/aws4_request`.
    func scope(_ date: Date) -> String { "\(Self.day(date))/\(region)/\(service)/aws4_request" }

    /// `20130524T000000Z`.
    static func timestamp(_ date: Date) -> String {
        let c = utcCalendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return day(date) + "T" + [c.hour!, c.minute!, c.second!].map(twoDigits).joined() + "Z"
    }

    /// `20130524`.
    static func day(_ date: Date) -> String {
        let c = utcCalendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d", c.year!) + twoDigits(c.month!) + twoDigits(c.day!)
    }

    /// RFC 3986 encoding as SigV4 wants it: everything but `A-Z a-z 0-9 - _ . ~` as `%XX`
    /// (upper-case hex); `/` kept when `keepingSlash` (object key paths).
    public static func encode(_ text: String, keepingSlash: Bool = false) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where keepingSlash:
                out.append("/")
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    private static func canonicalQuery(_ query: [(String, String)]) -> String {
        query.map { (encode($0.0), encode($0.1)) }.sorted { $0 < $1 }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    private static func signedHeaderNames(_ headers: [(String, String)]) -> String {
        headers.map { $0.0.lowercased() }.sorted().joined(separator: ";")
    }

    /// Leading and trailing spaces removed, inner runs of spaces collapsed to one.
    private static func trimmed(_ value: String) -> String {
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }

    private static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    private static func twoDigits(_ value: Int) -> String { String(format: "%02d", value) }

    private static let utcCalendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}
