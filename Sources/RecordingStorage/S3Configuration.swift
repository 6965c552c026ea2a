import Foundation

/// The S3 backend's settings from the standard AWS variables and an `s3://bucket/prefix/` URL.
enum S3Configuration {
    static func storage(_ url: String, _ variables: EnvironmentReader) throws(StorageError) -> S3Storage {
        let (bucket, prefix) = try bucketAndPrefix(url)
        let region = try variables.value("AWS_REGION") ?? "us-east-1"
        guard (1...32).contains(region.count), region.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }) else {
            throw StorageError("AWS_REGION must be a region name such as us-east-1 (a-z 0-9 -)")
        }
        let (endpoint, host) = try endpointAndHost(try variables.value("AWS_ENDPOINT_URL") ?? "https://s3.\(region).amazonaws.com")
        guard let accessKeyID = try variables.value("AWS_ACCESS_KEY_ID") else {
            throw StorageError("the s3 recording storage needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
        }
        guard accessKeyID.count <= 128, accessKeyID.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw StorageError("AWS_ACCESS_KEY_ID must be letters and digits (at most 128)")
        }
        guard let secret = try variables.value("AWS_SECRET_ACCESS_KEY") else {
            throw StorageError("the s3 recording storage needs AWS_SECRET_ACCESS_KEY with AWS_ACCESS_KEY_ID")
        }
        guard secret.utf8.count <= 256, secret.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
            throw StorageError("AWS_SECRET_ACCESS_KEY must be printable ASCII without spaces (at most 256 characters)")
        }
        let signer = SigV4(credentials: .init(accessKeyID: accessKeyID, secretAccessKey: secret), region: region, service: "s3")
        return S3Storage(endpoint: endpoint, host: host, bucket: bucket, prefix: prefix, signer: signer)
    }

    /// `s3://bucket/a/b/` → (`bucket`, `a/b/`); the prefix gets a trailing `/` when it has none.
    private static func bucketAndPrefix(_ url: String) throws(StorageError) -> (String, String) {
        let rest = url.dropFirst("s3://".count)
        let bucket = String(rest.prefix { $0 != "/" })
        let prefix = String(rest.dropFirst(bucket.count)).trimmingPrefixSlash().trimmingSuffix("/")
        let bucketOK = (3...63).contains(bucket.count)
            && bucket.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == ".") })
            && bucket.first!.isLetterOrDigit && bucket.last!.isLetterOrDigit
        guard bucketOK else {
            throw StorageError("\(RecordingStorages.storageVariable) names an invalid S3 bucket: 3 to 63 of a-z 0-9 . -, "
                               + "starting and ending with a letter or digit; use \(RecordingStorages.forms)")
        }
        if prefix.isEmpty { return (bucket, "") }
        guard RecordingKey.problem(prefix, maximumBytes: 256) == nil else {
            throw StorageError("\(RecordingStorages.storageVariable)'s S3 prefix must be at most 256 of A-Z a-z 0-9 . _ - / "
                               + "without empty, . or .. segments; use \(RecordingStorages.forms)")
        }
        return (bucket, prefix + "/")
    }

    /// `http(s)://host[:port][/]` → (`scheme://host[:port]`, the Host header curl sends).
    private static func endpointAndHost(_ text: String) throws(StorageError) -> (String, String) {
        guard let components = URLComponents(string: text), let scheme = components.scheme, ["http", "https"].contains(scheme),
              let host = components.host, !host.isEmpty, components.user == nil, components.password == nil,
              components.path.isEmpty || components.path == "/", components.query == nil, components.fragment == nil,
              host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") }) else {
            throw StorageError("AWS_ENDPOINT_URL must be http(s)://host[:port] with no path, user, query or fragment, "
                               + "e.g. https://s3.eu-central-1.amazonaws.com or http://127.0.0.1:9000")
        }
        let defaultPort = scheme == "https" ? 443 : 80
        let authority = components.port.map { $0 == defaultPort ? host : "\(host):\($0)" } ?? host
        return ("\(scheme)://\(authority)", authority)
    }
}

extension Character {
    fileprivate var isLetterOrDigit: Bool { isLetter || isNumber }
}

extension String {
    fileprivate func trimmingPrefixSlash() -> String {
        String(drop { $0 == "/" })
    }
}
