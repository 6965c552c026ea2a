import Foundation
@testable import RecordingStorage
import Testing

/// SigV4 against AWS's published S3 examples, the nginx secure_link hash, key validation and
/// the storage's environment parsing.
@Suite("RecordingStorage")
struct RecordingStorageTests {
    static let exampleCredentials = SigV4.Credentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE",
                                                      secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    static let signer = SigV4(credentials: exampleCredentials, region: "us-east-1", service: "s3")
    /// 20130524T000000Z, the time of AWS's examples.
    static let exampleDate = Date(timeIntervalSince1970: 1_369_353_600)

    @Test("the presigned URL example of \"Authenticating Requests: Using Query Parameters\"")
    func presignedVector() {
        let query = Self.signer.presignedQuery(method: "GET", path: "/test.txt", host: "examplebucket.s3.amazonaws.com",
                                               date: Self.exampleDate, expiresSeconds: 86_400)
        #expect(query == "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
                + "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
                + "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
    }

    @Test("the GET Object with Range example of \"Authenticating Requests: Using the Authorization Header\"")
    func headerVector() {
        let headers = [("Host", "examplebucket.s3.amazonaws.com"), ("Range", "bytes=0-9"),
                       ("x-amz-content-sha256", SigV4.emptyPayloadHash), ("x-amz-date", "20130524T000000Z")]
        let canonical = SigV4.canonicalRequest(method: "GET", path: "/test.txt", query: [], headers: headers,
                                               payloadHash: SigV4.emptyPayloadHash)
        #expect(canonical == """
            GET
            /test.txt

            host:examplebucket.s3.amazonaws.com
            range:bytes=0-9
            x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            x-amz-date:20130524T000000Z

            host;range;x-amz-content-sha256;x-amz-date
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            """)
        let authorization = Self.signer.authorization(method: "GET", path: "/test.txt", headers: headers,
                                                      payloadHash: SigV4.emptyPayloadHash, date: Self.exampleDate)
        #expect(authorization == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
                + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    @Test("SigV4 encoding: unreserved characters kept, the rest %XX upper-case, / only in paths")
    func encoding() {
        #expect(SigV4.encode("a-b_c.d~e/f g+h=") == "a-b_c.d~e%2Ff%20g%2Bh%3D")
        #expect(SigV4.encode("/bucket/a/b.webm", keepingSlash: true) == "/bucket/a/b.webm")
        #expect(SigV4.encode("é") == "%C3%A9")
    }

    @Test("the secure_link hash matches `openssl md5 -binary | openssl base64 | tr +/ -_ | tr -d =`")
    func secureLinkHash() throws {
        // printf '%s' '1767225600/recordings/2026/12/42-consult.webm s3cr3t-link-secret-0123' | openssl md5 -binary | …
        #expect(SecureLink.hash(expires: 1_767_225_600, uri: "/recordings/2026/12/42-consult.webm", secret: "s3cr3t-link-secret-0123")
                == "LjzzWAmL3TDvOlGOUv1zPg")
        let storage = try RecordingStorages.from(environment: [
            "CALLCTL_RECORDING_LINK_BASE": "https://calls.example.org/recordings/",
            "CALLCTL_RECORDING_LINK_SECRET": "s3cr3t-link-secret-0123",
        ])
        let url = try storage.downloadURL(key: RecordingKey("2026/12/42-consult.webm"), expiresAt: Date(timeIntervalSince1970: 1_767_225_600),
                                          now: Date(timeIntervalSince1970: 1_767_225_000))
        #expect(url == "https://calls.example.org/recordings/2026/12/42-consult.webm?md5=LjzzWAmL3TDvOlGOUv1zPg&expires=1767225600")
        #expect(storage.location == "directory /var/lib/callctl/recordings")
    }

    @Test("good recording keys", arguments: ["a", "42.webm", "2026/12/42-7f3a_b.webm", "A.Z/0-9/..x", String(repeating: "k", count: 512)])
    func goodKeys(_ text: String) throws {
        #expect(try RecordingKey(text).value == text)
    }

    @Test("bad recording keys say what is wrong", arguments: [
        ("", "is empty"), ("/abs.webm", "empty segment"), ("a//b", "empty segment"), ("a/", "empty segment"),
        ("a/../b", "`..` segment"), ("./a", "`.` segment"), ("..", "`..` segment"), ("a b", "may only hold"),
        ("a%2e", "may only hold"), ("é.webm", "may only hold"), ("a\u{0}b", "may only hold"),
        (String(repeating: "k", count: 513), "513 bytes long"),
    ])
    func badKeys(_ text: String, _ problem: String) {
        #expect {
            try RecordingKey(text)
        } throws: { error in
            "\(error)".contains(problem)
        }
    }

    @Test("the S3 backend from the AWS variables: path-style presigned URL against the endpoint")
    func s3FromEnvironment() throws {
        let storage = try RecordingStorages.from(environment: [
            "CALLCTL_RECORDING_STORAGE": "s3://examplebucket/recs", "AWS_ENDPOINT_URL": "http://127.0.0.1:9000/",
            "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        ])
        #expect(storage.location == "s3://examplebucket/recs/ at http://127.0.0.1:9000")
        let url = try storage.downloadURL(key: RecordingKey("a.webm"), expiresAt: Self.exampleDate.addingTimeInterval(60),
                                          now: Self.exampleDate)
        #expect(url.hasPrefix("http://127.0.0.1:9000/examplebucket/recs/a.webm?X-Amz-Algorithm=AWS4-HMAC-SHA256&"))
        #expect(url.contains("X-Amz-Expires=60&"))
        let aws = try RecordingStorages.from(environment: [
            "CALLCTL_RECORDING_STORAGE": "s3://examplebucket", "AWS_REGION": "eu-central-1",
            "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        ])
        #expect(aws.location == "s3://examplebucket/ at https://s3.eu-central-1.amazonaws.com")
    }

    @Test("a download URL's lifetime must be 1 s to 7 days", arguments: [0.0, -5, 604_801])
    func lifetimeBounds(_ seconds: Double) throws {
        let storage = try RecordingStorages.from(environment: [
            "CALLCTL_RECORDING_STORAGE": "s3://examplebucket", "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
            "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        ])
        #expect(throws: StorageError.self) {
            try storage.downloadURL(key: RecordingKey("a"), expiresAt: Self.exampleDate.addingTimeInterval(seconds), now: Self.exampleDate)
        }
    }

    static let secrets = ["wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "s3cr3t-link-secret-0123", "sh0rt"]

    @Test("environment errors name the variable and never a secret", arguments: [
        (["CALLCTL_RECORDING_STORAGE": "ftp://host/x"], "CALLCTL_RECORDING_STORAGE"),
        (["CALLCTL_RECORDING_STORAGE": "file://relative/dir"], "CALLCTL_RECORDING_STORAGE"),
        (["CALLCTL_RECORDING_STORAGE": "file:///var/../etc"], "CALLCTL_RECORDING_STORAGE"),
        (["CALLCTL_RECORDING_STORAGE": "s3://Bad_Bucket"], "CALLCTL_RECORDING_STORAGE"),
        (["CALLCTL_RECORDING_STORAGE": "s3://examplebucket/a//b"], "CALLCTL_RECORDING_STORAGE"),
        (["CALLCTL_RECORDING_STORAGE": "s3://examplebucket"], "AWS_ACCESS_KEY_ID"),
        (["CALLCTL_RECORDING_STORAGE": "s3://examplebucket", "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE"], "AWS_SECRET_ACCESS_KEY"),
        (["CALLCTL_RECORDING_STORAGE": "s3://examplebucket", "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
          "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "AWS_ENDPOINT_URL": "http://127.0.0.1:9000/path"], "AWS_ENDPOINT_URL"),
        (["CALLCTL_RECORDING_STORAGE": "s3://examplebucket", "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
          "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "AWS_REGION": "US East"], "AWS_REGION"),
        (["CALLCTL_RECORDING_STORAGE": "s3://examplebucket", "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
          "AWS_SECRET_ACCESS_KEY": "has space wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"], "AWS_SECRET_ACCESS_KEY"),
        (["CALLCTL_RECORDING_LINK_BASE": "ftp://calls.example.org/recordings"], "CALLCTL_RECORDING_LINK_BASE"),
        (["CALLCTL_RECORDING_LINK_BASE": "https://calls.example.org/rec%20ordings"], "CALLCTL_RECORDING_LINK_BASE"),
        (["CALLCTL_RECORDING_LINK_SECRET": "sh0rt"], "CALLCTL_RECORDING_LINK_SECRET"),
        (["CALLCTL_RECORDING_LINK_SECRET": "s3cr3t-link-secret-0123\""], "CALLCTL_RECORDING_LINK_SECRET"),
    ])
    func environmentErrors(_ environment: [String: String], _ variable: String) {
        #expect {
            try RecordingStorages.from(environment: environment)
        } throws: { error in
            let text = "\(error)"
            return text.contains(variable) && !Self.secrets.contains { text.contains($0) }
        }
    }

    @Test("the local backend deletes without link settings, and a download URL names what is missing")
    func localLinkSettingsMissing() throws {
        let onlyBase = try RecordingStorages.from(environment: ["CALLCTL_RECORDING_LINK_BASE": "https://calls.example.org/recordings"])
        #expect {
            try onlyBase.downloadURL(key: RecordingKey("a"), expiresAt: Self.exampleDate.addingTimeInterval(60), now: Self.exampleDate)
        } throws: { error in
            "\(error)".hasSuffix("set CALLCTL_RECORDING_LINK_SECRET")
        }
        let onlySecret = try RecordingStorages.from(environment: ["CALLCTL_RECORDING_LINK_SECRET": "s3cr3t-link-secret-0123"])
        #expect {
            try onlySecret.downloadURL(key: RecordingKey("a"), expiresAt: Self.exampleDate.addingTimeInterval(60), now: Self.exampleDate)
        } throws: { error in
            "\(error)".hasSuffix("set CALLCTL_RECORDING_LINK_BASE") && !"\(error)".contains("s3cr3t")
        }
    }

    @Test("S3 error bodies: the <Code> is read, anything odd is not repeated")
    func errorCode() {
        let body = "<?xml version=\"1.0\"?><Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message></Error>"
        #expect(S3ErrorCode.parse(Data(body.utf8)) == "NoSuchBucket")
        #expect(S3ErrorCode.parse(Data("<Error><Code><script></Code></Error>".utf8)) == nil)
        #expect(S3ErrorCode.parse(Data("<html>502 Bad Gateway</html>".utf8)) == nil)
    }
}
