import Crypto
import Foundation

/// Small cryptographic helpers shared by every Pusher signature in this module.
public enum PusherCrypto {
    /// Lowercase hex HMAC-SHA256 of `message` keyed with `secret` (both UTF-8).
    public static func hmacSHA256Hex(secret: String, message: String) -> String {
        hmacSHA256Hex(secret: secret, bytes: Data(message.utf8))
    }

    /// Lowercase hex HMAC-SHA256 of `bytes` keyed with `secret` (UTF-8).
    public static func hmacSHA256Hex(secret: String, bytes: some DataProtocol) -> String {
        hex(HMAC<SHA256>.authenticationCode(for: bytes, using: SymmetricKey(data: Data(secret.utf8))))
    }

    /// Lowercase hex SHA-256 of `bytes`.
    public static func sha256Hex(_ bytes: some DataProtocol) -> String {
        hex(SHA256.hash(data: bytes))
    }

    /// Lowercase hex MD5 of `body`, as required by the HTTP API's `body_md5` parameter.
    ///
    /// MD5 is used here only because the Pusher protocol mandates it for body integrity;
    /// the body is additionally covered by the HMAC signature.
    public static func md5Hex(_ body: some DataProtocol) -> String {
        hex(Insecure.MD5.hash(data: body))
    }

    /// Compares two strings' UTF-8 bytes in time that depends only on their lengths.
    ///
    /// Every byte position up to the longer length is visited and differences are
    /// OR-ed together, so there is no early exit that could leak how many leading
    /// characters of a guessed signature were right.
    public static func constantTimeEquals(_ lhs: String, _ rhs: String) -> Bool {
        let left = Array(lhs.utf8)
        let right = Array(rhs.utf8)
        var difference: UInt8 = left.count == right.count ? 0 : 1
        for index in 0..<max(left.count, right.count) {
            let l = index < left.count ? left[index] : 0
            let r = index < right.count ? right[index] : 0
            difference |= l ^ r
        }
        return difference == 0
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static func hex(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        for byte in bytes {
            out.append(hexDigits[Int(byte >> 4)])
            out.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
