import Crypto

/// The key of MESSAGE-INTEGRITY, the HMAC-SHA1 that authenticates a STUN message
/// (RFC 8489 §9.1.1, §9.2.2, §14.5).
///
/// Neither constructor applies SASLprep (RFC 4013) or the OpaqueString profile (RFC 8265):
/// text is used as its UTF-8 bytes. That is exact for ASCII credentials without control
/// characters, which is what TURN REST credentials and coturn's user database produce;
/// a caller with other Unicode credentials must pass them already prepared (RFC 5769 §2.4
/// gives the prepared password "TheMatrIX" for "TheMªtrⅨ").
public struct MessageIntegrityKey: Hashable, Sendable {
    /// The HMAC key bytes.
    public let bytes: [UInt8]

    /// A key from raw bytes.
    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The short-term credential key: the password itself (RFC 8489 §9.1.1).
    public static func shortTerm(password: String) -> MessageIntegrityKey {
        MessageIntegrityKey(bytes: Array(password.utf8))
    }

    /// The long-term credential key: `MD5(username ":" realm ":" password)` (RFC 8489 §9.2.2),
    /// as TURN servers use with the REALM and NONCE of their 401 response.
    public static func longTerm(username: String, realm: String, password: String) -> MessageIntegrityKey {
        MessageIntegrityKey(bytes: Array(Insecure.MD5.hash(data: Array("\(username):\(realm):\(password)".utf8))))
    }

    /// The 20-byte HMAC-SHA1 of `message` under this key.
    func authenticationCode(for message: [UInt8]) -> [UInt8] {
        Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: bytes)))
    }

    /// Whether `code` is the HMAC-SHA1 of `message`, compared in constant time.
    func isValid(_ code: [UInt8], for message: [UInt8]) -> Bool {
        HMAC<Insecure.SHA1>.isValidAuthenticationCode(code, authenticating: message, using: SymmetricKey(data: bytes))
    }
}

extension StunMessage {
    /// Whether the received MESSAGE-INTEGRITY is the HMAC-SHA1, under `key`, of the message
    /// up to it with the length field counting up to and including it (RFC 8489 §14.5).
    /// The comparison takes constant time. `false` when the message had no MESSAGE-INTEGRITY
    /// or was built rather than decoded.
    public func verifyIntegrity(key: MessageIntegrityKey) -> Bool {
        guard let received = receivedIntegrity else { return false }
        return key.isValid(received.code, for: received.coveredBytes)
    }

    /// Whether the decoded message carried MESSAGE-INTEGRITY.
    public var hasMessageIntegrity: Bool { receivedIntegrity != nil }
}

/// MESSAGE-INTEGRITY as found by the decoder: the code and the bytes it must authenticate.
struct ReceivedIntegrity: Sendable {
    /// The 20-byte HMAC from the attribute.
    let code: [UInt8]
    /// The header, its length field adjusted to end after MESSAGE-INTEGRITY, and the
    /// attributes before MESSAGE-INTEGRITY.
    let coveredBytes: [UInt8]
}
