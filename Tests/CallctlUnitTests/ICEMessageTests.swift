import Testing
import ICE

@Suite("ICE: STUN message encoding and decoding")
struct ICEMessageTests {
    let transactionID = RFC5769.transactionID

    /// A header for `bodyLength` bytes of attributes, with RFC 5769's transaction ID.
    func header(type: UInt16 = 0x0001, bodyLength: Int) -> [UInt8] {
        [UInt8(type >> 8), UInt8(type & 0xFF), UInt8(bodyLength >> 8), UInt8(bodyLength & 0xFF),
         0x21, 0x12, 0xA4, 0x42] + transactionID.bytes
    }

    @Test("method and class interleave into the message type as RFC 8489 figure 3 shows", arguments: [
        (StunMethod.binding, StunClass.request, UInt16(0x0001)),
        (.binding, .indication, 0x0011),
        (.binding, .successResponse, 0x0101),
        (.binding, .errorResponse, 0x0111),
        (.allocate, .request, 0x0003),
        (.allocate, .errorResponse, 0x0113),
        (.refresh, .successResponse, 0x0104),
        (.send, .indication, 0x0016),
        (.data, .indication, 0x0017),
        (.createPermission, .request, 0x0008),
        (.channelBind, .successResponse, 0x0109),
        (StunMethod(rawValue: 0xFFF)!, .errorResponse, 0x3FFF),
        (StunMethod(rawValue: 0x080)!, .request, 0x0200),
    ])
    func messageType(method: StunMethod, messageClass: StunClass, type: UInt16) throws {
        let bytes = try StunMessage(method: method, class: messageClass, transactionID: transactionID).encoded()
        #expect(bytes == header(type: type, bodyLength: 0))
        let decoded = try StunMessage(decoding: bytes)
        #expect(decoded.method == method)
        #expect(decoded.messageClass == messageClass)
    }

    @Test("every method and class survives a round trip")
    func allMethods() throws {
        for raw in UInt16(0)...0xFFF {
            let method = try #require(StunMethod(rawValue: raw))
            for messageClass in StunClass.allCases {
                let decoded = try StunMessage(decoding: StunMessage(method: method, class: messageClass, transactionID: transactionID).encoded())
                #expect(decoded.method == method && decoded.messageClass == messageClass)
            }
        }
        #expect(StunMethod(rawValue: 0x1000) == nil)
    }

    @Test("an Allocate request encodes to the expected bytes")
    func allocateBytes() throws {
        let request = StunMessage(method: .allocate, class: .request, transactionID: transactionID,
                                  attributes: [.requestedTransport(.udp), .lifetime(600)])
        #expect(try request.encoded() == header(type: 0x0003, bodyLength: 16)
            + [0x00, 0x19, 0x00, 0x04, 17, 0, 0, 0, 0x00, 0x0D, 0x00, 0x04, 0x00, 0x00, 0x02, 0x58])
    }

    @Test("every typed attribute survives a round trip with integrity and fingerprint")
    func attributeRoundTrip() throws {
        var generator = FuzzGenerator(seed: 7)
        let attributes: [StunAttribute] = [
            .mappedAddress(StunAddress(ip: IPAddress("198.51.100.7")!, port: 1)),
            .xorMappedAddress(StunAddress(ip: IPAddress("2001:db8::1")!, port: 65535)),
            .xorRelayedAddress(StunAddress(ip: IPAddress("203.0.113.9")!, port: 49152)),
            .xorPeerAddress(StunAddress(ip: IPAddress("::ffff:192.0.2.1")!, port: 3478)),
            .username("1700003600:alice"),
            .errorCode(.staleNonce, reason: "Stale Nonce"),
            .unknownAttributes([StunAttributeType(rawValue: 0x0024), .messageIntegritySHA256, StunAttributeType(rawValue: 0x7FFF)]),
            .realm("example.org"),
            .nonce("abc"),
            .lifetime(0),
            .requestedTransport(.tcp),
            .software("callctl"),
            .data([1, 2, 3, 4, 5]),
            .channelNumber(0x4001),
            .unknown(type: StunAttributeType(rawValue: 0xC001), value: [9]),
        ]
        let key = MessageIntegrityKey(bytes: [0x42, 0x43])
        let message = StunMessage(method: .refresh, class: .errorResponse,
                                  transactionID: .random(using: &generator), attributes: attributes)
        let bytes = try message.encoded(integrity: key, fingerprint: true)
        #expect(bytes.count % 4 == 0)
        let decoded = try StunMessage(decoding: bytes)
        #expect(decoded.attributes == attributes)
        #expect(decoded.transactionID == message.transactionID)
        #expect(decoded.verifyIntegrity(key: key))
        #expect(!decoded.verifyIntegrity(key: MessageIntegrityKey(bytes: [0x42])))
        #expect(decoded.hadFingerprint)
        #expect(decoded.errorCode?.code == .staleNonce)
        #expect(decoded.errorCode?.reason == "Stale Nonce")
        #expect(decoded.xorRelayedAddress?.port == 49152)
        #expect(decoded.xorPeerAddress?.ip.description == "::ffff:192.0.2.1")
        #expect(decoded.mappedAddress?.description == "198.51.100.7:1")
        #expect(decoded.lifetime == 0)
        #expect(decoded.data == [1, 2, 3, 4, 5])
        #expect(decoded.unknownComprehensionRequired.isEmpty)
        // A built message carries no received MESSAGE-INTEGRITY to verify.
        #expect(!message.verifyIntegrity(key: key))
    }

    @Test("ERROR-CODE carries code and reason; malformed codes are refused")
    func errorCodes() throws {
        let response = StunMessage(method: .allocate, class: .errorResponse, transactionID: transactionID,
                                   attributes: [.errorCode(.unauthenticated, reason: "Unauthorized"),
                                                .realm("north"), .nonce("n0nce")])
        let bytes = try response.encoded()
        #expect(Array(bytes[20..<32]) == [0x00, 0x09, 0x00, 0x10, 0, 0, 4, 1] + Array("Unau".utf8))
        let decoded = try StunMessage(decoding: bytes)
        #expect(decoded.errorCode?.code == .unauthenticated)
        #expect(decoded.errorCode?.reason == "Unauthorized")
        #expect(StunErrorCode.unauthenticated.meaning == "Unauthenticated")
        #expect(StunErrorCode(rawValue: 508) == .insufficientCapacity)
        #expect(StunErrorCode(rawValue: 442)?.description == "442 Unsupported Transport Protocol")
        #expect(StunErrorCode(rawValue: 599)?.meaning == nil)
        #expect(StunErrorCode(rawValue: 299) == nil)
        #expect(StunErrorCode(rawValue: 700) == nil)
        for (errorClass, number) in [(UInt8(2), UInt8(0)), (7, 0), (4, 100), (5, 255)] {
            let bad = header(type: 0x0113, bodyLength: 4 + 4) + [0x00, 0x09, 0x00, 0x04, 0, 0, errorClass, number]
            #expect(throws: StunDecodingError.invalidErrorCode(errorClass: errorClass, number: number)) {
                try StunMessage(decoding: bad)
            }
        }
    }

    @Test("unknown comprehension-required attributes are reported, optional ones are not")
    func unknownAttributes() throws {
        let bytes = header(bodyLength: 16) + [0x7F, 0x01, 0x00, 0x01, 0xAA, 0, 0, 0, 0x80, 0x55, 0x00, 0x02, 1, 2, 0, 0]
        let message = try StunMessage(decoding: bytes)
        #expect(message.unknownComprehensionRequired == [StunAttributeType(rawValue: 0x7F01)])
        #expect(message.attributes == [.unknown(type: StunAttributeType(rawValue: 0x7F01), value: [0xAA]),
                                       .unknown(type: StunAttributeType(rawValue: 0x8055), value: [1, 2])])
    }

    @Test("attributes after MESSAGE-INTEGRITY are ignored; after FINGERPRINT they are refused")
    func afterIntegrity() throws {
        let key = MessageIntegrityKey.shortTerm(password: "pw")
        var bytes = try StunMessage(method: .binding, class: .request, transactionID: transactionID,
                                    attributes: [.software("a")]).encoded(integrity: key)
        bytes += [0x00, 0x13, 0x00, 0x02, 7, 7, 0, 0] // DATA after MESSAGE-INTEGRITY
        bytes[3] += 8
        let message = try StunMessage(decoding: bytes)
        #expect(message.attributes == [.software("a")])
        #expect(message.verifyIntegrity(key: key))

        var afterFingerprint = try StunMessage(method: .binding, class: .request, transactionID: transactionID)
            .encoded(fingerprint: true)
        afterFingerprint += [0x80, 0x22, 0x00, 0x00]
        afterFingerprint[3] += 4
        #expect(throws: StunDecodingError.attributeAfterFingerprint(.software)) {
            try StunMessage(decoding: afterFingerprint)
        }
    }

    /// Malformed messages: the first 8 header bytes, then 12 zero bytes of transaction ID,
    /// then the body; and the error each must throw.
    static let malformedCases: [(head: String, body: String, error: StunDecodingError)] = [
        ("40 01 00 00 21 12 a4 42", "", .notStun(firstByte: 0x40)),
        ("00 01 00 00 21 12 a4 43", "", .badMagicCookie(0x2112_A443)),
        ("00 01 00 02 21 12 a4 42", "00 00", .lengthNotMultipleOfFour(2)),
        // Length fields past the buffer, up to the 16-bit maximum, are refused rather than read.
        ("00 01 ff fc 21 12 a4 42", "00 00 00 00", .lengthMismatch(declared: 0xFFFC, available: 4)),
        ("00 01 00 04 21 12 a4 42", "00 00 00 00 00 00 00 00", .lengthMismatch(declared: 4, available: 8)),
        ("00 01 00 08 21 12 a4 42", "80 22 ff ff 01 02 03 04", .truncatedAttribute(.software, declaredLength: 0xFFFF, remaining: 4)),
        ("00 01 00 08 21 12 a4 42", "80 22 00 05 01 02 03 04", .truncatedAttribute(.software, declaredLength: 5, remaining: 4)),
        ("00 01 00 08 21 12 a4 42", "00 0d 00 03 01 02 03 00", .badAttributeLength(.lifetime, 3)),
        ("00 01 00 0c 21 12 a4 42", "00 20 00 08 00 03 00 00 01 02 03 04", .unknownAddressFamily(3)),
        ("00 01 00 0c 21 12 a4 42", "00 20 00 08 00 02 00 00 01 02 03 04", .badAttributeLength(.xorMappedAddress, 8)),
        ("00 01 00 08 21 12 a4 42", "00 01 00 02 00 01 00 00", .badAttributeLength(.mappedAddress, 2)),
        ("00 01 00 08 21 12 a4 42", "00 14 00 02 c3 28 00 00", .invalidUTF8(.realm)),
        ("00 01 00 08 21 12 a4 42", "00 0c 00 04 3f ff 00 00", .invalidChannelNumber(0x3FFF)),
        ("00 01 00 08 21 12 a4 42", "00 0a 00 03 00 01 02 00", .badAttributeLength(.unknownAttributes, 3)),
        ("00 01 00 08 21 12 a4 42", "00 08 00 04 00 00 00 00", .badAttributeLength(.messageIntegrity, 4)),
        ("00 01 00 08 21 12 a4 42", "80 28 00 00 00 00 00 00", .badAttributeLength(.fingerprint, 0)),
    ]

    @Test("malformed messages throw precise errors", arguments: malformedCases)
    func malformed(head: String, body: String, error: StunDecodingError) {
        let bytes = RFC5769.bytes(head) + [UInt8](repeating: 0, count: 12) + RFC5769.bytes(body)
        #expect(throws: error) { try StunMessage(decoding: bytes) }
    }

    @Test("fewer than 20 bytes is a truncated header")
    func shortHeader() {
        #expect(throws: StunDecodingError.truncatedHeader(byteCount: 19)) {
            try StunMessage(decoding: [UInt8](repeating: 0, count: 19))
        }
    }

    @Test("size limits: attribute count and total length")
    func limits() throws {
        let empty: [UInt8] = [0x80, 0x77, 0x00, 0x00]
        let at64 = header(bodyLength: 64 * 4) + Array([[UInt8]](repeating: empty, count: 64).joined())
        #expect(try StunMessage(decoding: at64).attributes.count == 64)
        let at65 = header(bodyLength: 65 * 4) + Array([[UInt8]](repeating: empty, count: 65).joined())
        #expect(throws: StunDecodingError.tooManyAttributes(limit: 64)) { try StunMessage(decoding: at65) }
        #expect(throws: StunDecodingError.messageTooLarge(byteCount: 20 + 65536)) {
            try StunMessage(decoding: [UInt8](repeating: 0, count: 20 + 65536))
        }
        // The largest message: one DATA attribute filling the 16-bit length (65532, a multiple of 4).
        let largest = try StunMessage(method: .send, class: .indication, transactionID: transactionID,
                                      attributes: [.data([UInt8](repeating: 1, count: 65528))]).encoded()
        #expect(largest.count == 20 + 65532)
        #expect(try StunMessage(decoding: largest).data?.count == 65528)
    }

    @Test("values the wire cannot carry are encoding errors")
    func encodingErrors() {
        let zeros = { (count: Int) in [UInt8](repeating: 0, count: count) }
        let cases: [(attributes: [StunAttribute], fingerprint: Bool, error: StunEncodingError)] = [
            ([.data(zeros(65536))], false, .attributeTooLong(.data, 65536)),
            ([.data(zeros(40000)), .data(zeros(40000))], false, .messageTooLarge(80008)),
            ([.data(zeros(65528))], true, .messageTooLarge(65540)),
            (Array(repeating: .lifetime(1), count: 64), true, .tooManyAttributes(65)),
            ([.unknown(type: .messageIntegrity, value: [])], false, .reservedAttribute(.messageIntegrity)),
            ([.unknown(type: .fingerprint, value: [])], false, .reservedAttribute(.fingerprint)),
            ([.channelNumber(0x3FFF)], false, .invalidChannelNumber(0x3FFF)),
            ([.channelNumber(0x8000)], false, .invalidChannelNumber(0x8000)),
        ]
        for (attributes, fingerprint, error) in cases {
            let message = StunMessage(method: .send, class: .indication, transactionID: transactionID, attributes: attributes)
            #expect(throws: error) { try message.encoded(fingerprint: fingerprint) }
        }
    }

    @Test("a response keeps the request's method and transaction ID")
    func response() throws {
        let request = StunMessage(method: .channelBind, class: .request, transactionID: .random())
        let response = StunMessage(respondingTo: request, class: .successResponse)
        #expect(response.method == .channelBind)
        #expect(response.transactionID == request.transactionID)
        #expect(TransactionID.random() != TransactionID.random())
        #expect(TransactionID(bytes: [1, 2, 3]) == nil)
        #expect(RFC5769.transactionID.description == "b7e7a701bc34d686fa87dfae")
    }
}
