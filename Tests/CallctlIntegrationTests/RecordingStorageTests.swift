import Foundation
import HTTPClient
import LocalServices
import RecordingStorage
import Testing

/// RecordingStorage against real parts on loopback: moto (the AWS stand-in) checking SigV4
/// `Authorization` headers for `delete`, botocore judging the presigned URLs, and Debian's
/// nginx running the shipped `location /recordings/` with `secure_link`.
///
/// moto does not verify presigned URLs (without its IAM checks it serves any query; with them
/// it fails on a request without an `Authorization` header), so a presigned URL's expiry is not
/// checked by a server here: it is compared with botocore's URL for the same moment instead.
@Suite("RecordingStorage against moto and nginx", .serialized)
struct RecordingStorageIntegrationTests {
    static let key = "2026/12/42-consult.webm"
    static let prefixed = "consultations/" + key
    static let bytes = "not really a webm, but bytes of one"

    static func s3(_ moto: MotoServer, bucket: String = "callctl-recordings", accessKey: String, secretKey: String) throws -> any RecordingStorage {
        try RecordingStorages.from(environment: [
            "CALLCTL_RECORDING_STORAGE": "s3://\(bucket)/consultations/", "AWS_ENDPOINT_URL": moto.endpoint,
            "AWS_ACCESS_KEY_ID": accessKey, "AWS_SECRET_ACCESS_KEY": secretKey,
        ])
    }

    @Test("S3 delete with moto checking signatures: removed, again deleted; wrong secret, missing bucket, refused connection")
    func s3Delete() throws {
        let moto = try MotoServer(checkingSignatures: true)
        defer { moto.stop() }
        let keys = try moto.fixture("credentials", accessKey: "AKIAIOSFODNN7EXAMPLE", secretKey: "unused-before-auth")
        let accessKey = try #require(keys["accessKeyId"] as? String)
        let secretKey = try #require(keys["secretAccessKey"] as? String)
        func exists() throws -> Bool? {
            try moto.fixture("exists", ["bucket": "callctl-recordings", "key": Self.prefixed], accessKey: accessKey, secretKey: secretKey)["exists"] as? Bool
        }
        _ = try moto.fixture("put", ["bucket": "callctl-recordings", "key": Self.prefixed, "body": Self.bytes], accessKey: accessKey, secretKey: secretKey)
        #expect(try exists() == true)

        let storage = try Self.s3(moto, accessKey: accessKey, secretKey: secretKey)
        let key = try RecordingKey(Self.key)
        try storage.delete(key: key)
        #expect(try exists() == false)
        try storage.delete(key: key)

        _ = try moto.fixture("put", ["bucket": "callctl-recordings", "key": Self.prefixed, "body": Self.bytes], accessKey: accessKey, secretKey: secretKey)
        let wrongSecret = "Wr0ngSecretWr0ngSecretWr0ngSecretWr0ng00"
        let wrong = try Self.s3(moto, accessKey: accessKey, secretKey: wrongSecret)
        let refused = try #require(throws: StorageError.self) { try wrong.delete(key: key) }
        #expect(refused.code == "SignatureDoesNotMatch" && refused.status == 403, "\(refused)")
        #expect(refused.description.contains("SignatureDoesNotMatch") && refused.description.contains("AWS_SECRET_ACCESS_KEY"))
        #expect(!refused.description.contains(wrongSecret) && !refused.description.contains(secretKey) && !refused.description.contains(accessKey))
        #expect(try exists() == true)

        let missing = try Self.s3(moto, bucket: "callctl-no-such-bucket", accessKey: accessKey, secretKey: secretKey)
        let noBucket = try #require(throws: StorageError.self) { try missing.delete(key: key) }
        #expect(noBucket.code == "NoSuchBucket" && noBucket.status == 404, "\(noBucket)")
        #expect(noBucket.description.contains("s3://callctl-no-such-bucket/consultations/ at \(moto.endpoint)"))

        moto.stop()
        let down = try #require(throws: StorageError.self) { try storage.delete(key: key) }
        #expect(down.status == nil && down.description.contains("AWS_ENDPOINT_URL"), "\(down)")
        #expect(!down.description.contains(secretKey))
    }

    @Test("S3 presigned GET: moto serves the object's bytes, and the URL is botocore's for the same moment")
    func s3Presigned() throws {
        let moto = try MotoServer(checkingSignatures: false)
        defer { moto.stop() }
        let accessKey = "AKIAIOSFODNN7EXAMPLE", secretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
        _ = try moto.fixture("put", ["bucket": "callctl-recordings", "key": Self.prefixed, "body": Self.bytes], accessKey: accessKey, secretKey: secretKey)
        let storage = try Self.s3(moto, accessKey: accessKey, secretKey: secretKey)
        let key = try RecordingKey(Self.key)

        let now = Date()
        let url = try storage.downloadURL(key: key, expiresAt: now.addingTimeInterval(120), now: now)
        #expect(url.hasPrefix("\(moto.endpoint)/callctl-recordings/\(Self.prefixed)?"))
        let response = try HTTPClient.send(HTTPRequest(url: url))
        #expect(response.status == 200 && String(decoding: response.body, as: UTF8.self) == Self.bytes, "\(response.status)")

        let moment = Date(timeIntervalSince1970: 1_767_225_600)
        let ours = try storage.downloadURL(key: key, expiresAt: moment.addingTimeInterval(900), now: moment)
        let theirs = try moto.fixture("presign", ["bucket": "callctl-recordings", "key": Self.prefixed, "region": "us-east-1",
                                                   "time": 1_767_225_600, "expires": 900], accessKey: accessKey, secretKey: secretKey)
        #expect(ours == theirs["url"] as? String)
    }

    @Test("the shipped nginx location: a fresh link downloads, a tampered md5 is 403, an expired link 410, no secret file 503")
    func nginxSecureLink() throws {
        let secret = "s3cr3t-link-secret-0123"
        try withScratchDirectory("recordings") { root in
            // nginx's workers run as nobody: the directory and the file must be readable by all.
            let file = root.appendingPathComponent(Self.key)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o755])
            chmod(root.path, 0o755)
            try Data(Self.bytes.utf8).write(to: file)
            chmod(file.path, 0o644)
            let nginx = try Self.nginx(root: root.path, secret: secret)
            defer { nginx.stop() }
            let storage = try RecordingStorages.from(environment: [
                "CALLCTL_RECORDING_STORAGE": "file://\(root.path)/",
                "CALLCTL_RECORDING_LINK_BASE": "https://127.0.0.1:\(nginx.port)/recordings",
                "CALLCTL_RECORDING_LINK_SECRET": secret,
            ])
            let key = try RecordingKey(Self.key)
            func get(_ url: String) throws -> HTTPResponse { try HTTPClient.send(HTTPRequest(url: url, caFile: nginx.certificatePath)) }

            let now = Date()
            let fresh = try storage.downloadURL(key: key, expiresAt: now.addingTimeInterval(60), now: now)
            let ok = try get(fresh)
            #expect(ok.status == 200 && String(decoding: ok.body, as: UTF8.self) == Self.bytes, "\(ok.status) \(nginx.logTail())")
            let md5 = try #require(URLComponents(string: fresh)?.queryItems?.first { $0.name == "md5" }?.value)
            let tampered = fresh.replacingOccurrences(of: "md5=\(md5)", with: "md5=\(String(md5.reversed()))")
            #expect(try get(tampered).status == 403)
            let past = now.addingTimeInterval(-3600)
            #expect(try get(try storage.downloadURL(key: key, expiresAt: past.addingTimeInterval(60), now: past)).status == 410)

            let unconfigured = try Self.nginx(root: root.path, secret: nil)
            defer { unconfigured.stop() }
            let elsewhere = fresh.replacingOccurrences(of: ":\(nginx.port)/", with: ":\(unconfigured.port)/")
            #expect(try HTTPClient.send(HTTPRequest(url: elsewhere, caFile: unconfigured.certificatePath)).status == 503)

            try storage.delete(key: key)
            #expect(!FileManager.default.fileExists(atPath: file.path))
            #expect(try get(fresh).status == 404)
        }
    }

    @Test("local delete: gone is deleted; a directory, a missing root are errors that say where")
    func localDelete() throws {
        try withScratchDirectory("recordings") { root in
            let storage = try RecordingStorages.from(environment: ["CALLCTL_RECORDING_STORAGE": "file://\(root.path)"])
            try FileManager.default.createDirectory(at: root.appendingPathComponent("2026/12"), withIntermediateDirectories: true)
            try Data("x".utf8).write(to: root.appendingPathComponent("2026/12/a.webm"))
            try storage.delete(key: RecordingKey("2026/12/a.webm"))
            #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("2026/12/a.webm").path))
            try storage.delete(key: RecordingKey("2026/12/a.webm"))
            try storage.delete(key: RecordingKey("2027/01/never.webm"))
            let directory = try #require(throws: StorageError.self) { try storage.delete(key: RecordingKey("2026/12")) }
            #expect(directory.description.contains("not a regular file"))
            #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("2026/12").path))

            let gone = try RecordingStorages.from(environment: ["CALLCTL_RECORDING_STORAGE": "file://\(root.path)/missing"])
            let error = try #require(throws: StorageError.self) { try gone.delete(key: RecordingKey("a.webm")) }
            #expect(error.description.contains("directory \(root.path)/missing") && error.description.contains("CALLCTL_RECORDING_STORAGE"))
        }
    }

    /// nginx with deploy/nginx/callctl.conf, its recordings served from `root` with `secret` (nil: no include file).
    static func nginx(root: String, secret: String?) throws -> ThrowawayNginx {
        try ThrowawayNginx(configuration: try String(contentsOfFile: NginxProxyTests.config, encoding: .utf8), upstreamPort: 9,
                           recordings: .init(root: root, secret: secret))
    }
}
