import Foundation

/// Signing of Pusher HTTP API requests (e.g. `POST /apps/{id}/events`), auth version 1.0.
///
/// The request carries `auth_key`, `auth_timestamp`, `auth_version=1.0`, `body_md5`
/// (MD5 hex of the body, only when the body is non-empty) and `auth_signature` in its
/// query. The signature is the hex HMAC-SHA256, keyed with the app secret, of
/// `METHOD\nPATH\nQUERY`, where QUERY is every parameter except `auth_signature`,
/// keys lowercased, sorted by key, joined as `key=value` with `&` and NOT URL-escaped.
public enum PusherRequestSigner {
    /// The only auth version Pusher defines.
    public static let authVersion = "1.0"

    /// Builds the exact string that is signed.
    public static func stringToSign(method: String, path: String, query: [String: String]) -> String {
        let pairs = query
            .map { (key: $0.key.lowercased(), value: $0.value) }
            .filter { $0.key != "auth_signature" }
            .sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value)" }
        return "\(method.uppercased())\n\(path)\n\(pairs.joined(separator: "&"))"
    }

    /// Returns `query` plus the auth parameters and `auth_signature` for this request.
    ///
    /// - Parameters:
    ///   - timestamp: seconds since the Unix epoch, placed in `auth_timestamp`.
    public static func sign(method: String, path: String, query: [String: String] = [:],
                            body: Data = Data(), app: PusherApp, timestamp: Int) -> [String: String] {
        var params = query
        params["auth_key"] = app.key
        params["auth_timestamp"] = String(timestamp)
        params["auth_version"] = authVersion
        if !body.isEmpty { params["body_md5"] = PusherCrypto.md5Hex(body) }
        params.removeValue(forKey: "auth_signature")
        let message = stringToSign(method: method, path: path, query: params)
        params["auth_signature"] = PusherCrypto.hmacSHA256Hex(secret: app.secret, message: message)
        return params
    }
}

/// Why an HTTP API request was refused. Every case should be answered with 401.
public enum PusherRequestAuthError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A required auth parameter is absent.
    case missingParameter(String)
    /// The query names a parameter (lowercased here) more than once, ignoring case. Keys are
    /// lowercased before signing, so `auth_key=a&AUTH_KEY=b` is ambiguous: which value was
    /// signed and which one is used would be up to each reader.
    case duplicateParameter(String)
    /// `auth_key` does not belong to this app.
    case unknownKey
    /// `auth_version` is not `1.0`.
    case unsupportedVersion(String)
    /// `auth_timestamp` is not an integer.
    case invalidTimestamp
    /// `auth_timestamp` is further than the tolerance from the server clock; a replayed
    /// or badly clocked request.
    case timestampSkew(seconds: Int)
    /// The body is non-empty but `body_md5` is absent, or `body_md5` does not match the body.
    case bodyMismatch
    /// `auth_signature` does not match the request.
    case invalidSignature

    /// One sentence describing the failure, safe to return to the caller.
    public var description: String {
        switch self {
        case .missingParameter(let name): "The request is missing the \(name) parameter."
        case .duplicateParameter(let name):
            "The query names the parameter \(name.prefix(64)) more than once (names are compared ignoring case)."
        case .unknownKey: "The auth_key does not identify this app."
        case .unsupportedVersion(let version): "The auth_version \(version) is not supported; use 1.0."
        case .invalidTimestamp: "The auth_timestamp is not an integer number of seconds."
        case .timestampSkew(let seconds): "The auth_timestamp is \(seconds) seconds away from server time."
        case .bodyMismatch: "The body_md5 is missing or does not match the request body."
        case .invalidSignature: "The auth_signature does not match the request."
        }
    }
}

/// Verifies signed HTTP API requests for one app.
public struct PusherRequestVerifier: Sendable {
    /// Default allowed distance between `auth_timestamp` and the server clock.
    public static let defaultTolerance = 600

    /// The app whose key and secret requests must use.
    public let app: PusherApp
    /// Maximum allowed |now − auth_timestamp| in seconds.
    public let tolerance: Int

    /// Creates a verifier for `app` accepting timestamps within `tolerance` seconds.
    public init(app: PusherApp, tolerance: Int = PusherRequestVerifier.defaultTolerance) {
        self.app = app
        self.tolerance = tolerance
    }

    /// Checks a request; returns normally when it is authentic.
    ///
    /// - Parameters:
    ///   - query: the decoded query parameters, including the auth ones. Two keys that differ
    ///     only in case are refused with ``PusherRequestAuthError/duplicateParameter(_:)``.
    ///   - now: current time in Unix seconds (injected so tests and replay checks are exact).
    public func verify(method: String, path: String, query: [String: String], body: Data,
                       now: Int) throws(PusherRequestAuthError) {
        try verify(method: method, path: path, queryItems: query.map { ($0.key, $0.value) }, body: body, now: now)
    }

    /// Checks a request from its query items in the order sent, duplicates included; returns
    /// normally when it is authentic.
    ///
    /// A name given twice, ignoring case (`auth_key=…&AUTH_KEY=…`, `body_md5` twice), is refused
    /// with ``PusherRequestAuthError/duplicateParameter(_:)`` before anything else is checked.
    ///
    /// - Parameters:
    ///   - queryItems: the decoded query parameters as sent, including the auth ones.
    ///   - now: current time in Unix seconds (injected so tests and replay checks are exact).
    public func verify(method: String, path: String, queryItems: [(name: String, value: String)], body: Data,
                       now: Int) throws(PusherRequestAuthError) {
        var params: [String: String] = [:]
        for (name, value) in queryItems {
            let key = name.lowercased()
            guard params[key] == nil else { throw .duplicateParameter(key) }
            params[key] = value
        }
        func required(_ name: String) throws(PusherRequestAuthError) -> String {
            guard let value = params[name] else { throw .missingParameter(name) }
            return value
        }
        let key = try required("auth_key")
        let timestampText = try required("auth_timestamp")
        let version = try required("auth_version")
        let signature = try required("auth_signature")

        guard PusherCrypto.constantTimeEquals(key, app.key) else { throw .unknownKey }
        guard version == PusherRequestSigner.authVersion else { throw .unsupportedVersion(version) }
        guard let timestamp = Int(timestampText) else { throw .invalidTimestamp }
        let (skew, overflow) = now.subtractingReportingOverflow(timestamp)
        guard !overflow, skew.magnitude <= tolerance.magnitude else {
            throw .timestampSkew(seconds: overflow ? Int.max : skew)
        }
        if let md5 = params["body_md5"] {
            guard PusherCrypto.constantTimeEquals(md5, PusherCrypto.md5Hex(body)) else { throw .bodyMismatch }
        } else if !body.isEmpty {
            throw .bodyMismatch
        }
        let message = PusherRequestSigner.stringToSign(method: method, path: path, query: params)
        let expected = PusherCrypto.hmacSHA256Hex(secret: app.secret, message: message)
        guard PusherCrypto.constantTimeEquals(signature, expected) else { throw .invalidSignature }
    }
}
