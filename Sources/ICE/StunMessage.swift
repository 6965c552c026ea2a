/// A STUN message (RFC 8489; TURN methods and attributes from RFC 8656): a method, a class,
/// a transaction ID and attributes.
///
/// Build one and encode it:
///
///     let request = StunMessage(method: .allocate, class: .request, transactionID: .random(),
///                               attributes: [.requestedTransport(.udp), .lifetime(600)])
///     let bytes = try request.encoded(integrity: key, fingerprint: true)
///
/// or decode received bytes with `init(decoding:)`, then check `verifyIntegrity(key:)`.
public struct StunMessage: Sendable {
    /// The magic cookie every RFC 5389/8489 header carries.
    public static let magicCookie: UInt32 = 0x2112_A442
    /// The header's length in bytes.
    public static let headerLength = 20
    /// The most attributes a message may have; decoding more throws.
    public static let maximumAttributeCount = 64

    /// What the message asks for.
    public var method: StunMethod
    /// Request, indication, success or error response.
    public var messageClass: StunClass
    /// Pairs a response with its request.
    public var transactionID: TransactionID
    /// The attributes in wire order, without MESSAGE-INTEGRITY and FINGERPRINT. Decoding
    /// leaves out what follows MESSAGE-INTEGRITY, except MESSAGE-INTEGRITY-SHA256, as
    /// RFC 8489 §14.5 asks.
    public var attributes: [StunAttribute]

    /// MESSAGE-INTEGRITY as decoded, for `verifyIntegrity(key:)`.
    var receivedIntegrity: ReceivedIntegrity?
    /// Whether the decoded message ended with a FINGERPRINT, which decoding checked.
    public internal(set) var hadFingerprint = false

    /// A message to encode.
    public init(method: StunMethod, class messageClass: StunClass, transactionID: TransactionID,
                attributes: [StunAttribute] = []) {
        self.method = method
        self.messageClass = messageClass
        self.transactionID = transactionID
        self.attributes = attributes
    }

    /// A response to `request`: same method and transaction ID.
    public init(respondingTo request: StunMessage, class messageClass: StunClass,
                attributes: [StunAttribute] = []) {
        self.init(method: request.method, class: messageClass, transactionID: request.transactionID,
                  attributes: attributes)
    }

    /// The comprehension-required attribute types (below 0x8000) this module does not know;
    /// a server answers a request carrying any with 420, a client discards such a response.
    public var unknownComprehensionRequired: [StunAttributeType] {
        attributes.compactMap {
            if case .unknown(let type, _) = $0, type.isComprehensionRequired { type } else { nil }
        }
    }

    /// The first XOR-MAPPED-ADDRESS: the client's reflexive address.
    public var xorMappedAddress: StunAddress? {
        first { if case .xorMappedAddress(let address) = $0 { address } else { nil } }
    }

    /// The first MAPPED-ADDRESS (from servers that predate XOR-MAPPED-ADDRESS).
    public var mappedAddress: StunAddress? {
        first { if case .mappedAddress(let address) = $0 { address } else { nil } }
    }

    /// The first XOR-RELAYED-ADDRESS: the TURN allocation's relayed address.
    public var xorRelayedAddress: StunAddress? {
        first { if case .xorRelayedAddress(let address) = $0 { address } else { nil } }
    }

    /// The first XOR-PEER-ADDRESS: in a Data indication, who sent the data.
    public var xorPeerAddress: StunAddress? {
        first { if case .xorPeerAddress(let address) = $0 { address } else { nil } }
    }

    /// The ERROR-CODE, with the server's reason phrase.
    public var errorCode: (code: StunErrorCode, reason: String)? {
        first { if case .errorCode(let code, let reason) = $0 { (code, reason) } else { nil } }
    }

    /// The REALM, for long-term credentials.
    public var realm: String? {
        first { if case .realm(let realm) = $0 { realm } else { nil } }
    }

    /// The NONCE, for long-term credentials.
    public var nonce: String? {
        first { if case .nonce(let nonce) = $0 { nonce } else { nil } }
    }

    /// The LIFETIME in seconds.
    public var lifetime: UInt32? {
        first { if case .lifetime(let seconds) = $0 { seconds } else { nil } }
    }

    /// The SOFTWARE description.
    public var software: String? {
        first { if case .software(let text) = $0 { text } else { nil } }
    }

    /// The DATA bytes.
    public var data: [UInt8]? {
        first { if case .data(let bytes) = $0 { bytes } else { nil } }
    }

    private func first<T>(_ extract: (StunAttribute) -> T?) -> T? {
        for attribute in attributes {
            if let value = extract(attribute) { return value }
        }
        return nil
    }
}
