import Crypto
import Foundation

/// Links that nginx's `secure_link` module checks, as the shipped `location /recordings/`
/// configures it: `secure_link $arg_md5,$arg_expires;` and
/// `secure_link_md5 "$secure_link_expires$uri <secret>";`.
public struct SecureLink: Sendable {
    /// The public URL prefix nginx serves the directory at, without a trailing `/`, e.g.
    /// `https://calls.example.org/recordings`.
    public let base: String
    /// The URL path of `base` (what nginx's `$uri` starts with), e.g. `/recordings`.
    let basePath: String
    let secret: String

    /// `base`'s URL path must be plain (no escapes) so that it is the `$uri` nginx computes.
    init(base: String, basePath: String, secret: String) {
        self.base = base
        self.basePath = basePath
        self.secret = secret
    }

    /// `{base}/{key}?md5={M}&expires={expires}`.
    public func url(key: RecordingKey, expires: Int) -> String {
        let uri = basePath + "/" + key.value
        return "\(base)/\(key.value)?md5=\(Self.hash(expires: expires, uri: uri, secret: secret))&expires=\(expires)"
    }

    /// What nginx computes for `secure_link_md5 "$secure_link_expires$uri <secret>"`: the MD5
    /// of `"{expires}{uri} {secret}"`, base64url without padding.
    static func hash(expires: Int, uri: String, secret: String) -> String {
        let digest = Insecure.MD5.hash(data: Data("\(expires)\(uri) \(secret)".utf8))
        return Data(digest).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
