import Foundation
import Testing
import ICE

@Suite("ICE: TURN REST credentials and integrity keys")
struct ICECredentialTests {
    /// Expected values computed once with Python:
    /// `base64.b64encode(hmac.new(b"north-secret", b"1700003600:alice", hashlib.sha1).digest())`.
    @Test("coturn use-auth-secret credentials match a hand-computed HMAC")
    func restCredentials() throws {
        let credentials = try TurnRESTCredentials(secret: "north-secret", user: "alice", ttl: 3600,
                                                  now: Date(timeIntervalSince1970: 1_700_000_000))
        #expect(credentials.username == "1700003600:alice")
        #expect(credentials.password == "Ji4axghh2/aljHmsPgH9mtDGVLw=")
        #expect(credentials.expiry == 1_700_003_600)
        // Fractions of a second are dropped, not rounded.
        let later = try TurnRESTCredentials(secret: "north-secret", user: "alice", ttl: 3600,
                                            now: Date(timeIntervalSince1970: 1_700_000_000.999))
        #expect(later == credentials)
        let otherSecret = try TurnRESTCredentials(secret: "south-secret", user: "alice", ttl: 3600,
                                                  now: Date(timeIntervalSince1970: 1_700_000_000))
        #expect(otherSecret.username == credentials.username)
        #expect(otherSecret.password != credentials.password)
        #expect(credentials.integrityKey(realm: "north")
            == .longTerm(username: "1700003600:alice", realm: "north", password: "Ji4axghh2/aljHmsPgH9mtDGVLw="))
    }

    @Test("impossible TTLs and times are refused")
    func refusals() {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(throws: TurnCredentialsError.nonPositiveTTL(0)) {
            try TurnRESTCredentials(secret: "s", user: "u", ttl: 0, now: now)
        }
        #expect(throws: TurnCredentialsError.nonPositiveTTL(-5)) {
            try TurnRESTCredentials(secret: "s", user: "u", ttl: -5, now: now)
        }
        #expect(throws: TurnCredentialsError.timeOutOfRange(-1)) {
            try TurnRESTCredentials(secret: "s", user: "u", ttl: 60, now: Date(timeIntervalSince1970: -1))
        }
        #expect(throws: TurnCredentialsError.self) {
            try TurnRESTCredentials(secret: "s", user: "u", ttl: .max, now: now)
        }
        #expect(throws: TurnCredentialsError.self) {
            try TurnRESTCredentials(secret: "s", user: "u", ttl: 60, now: Date(timeIntervalSince1970: .infinity))
        }
    }

    @Test("short-term keys are the password; long-term keys are MD5(user:realm:password)")
    func keys() {
        #expect(MessageIntegrityKey.shortTerm(password: "pw").bytes == [0x70, 0x77])
        // MD5("user:realm:pass"), computed with Python's hashlib.
        #expect(MessageIntegrityKey.longTerm(username: "user", realm: "realm", password: "pass").bytes
            == RFC5769.bytes("8493fbc53ba582fb4c044c456bdc40eb"))
    }

    @Test("a TURN exchange authenticates with REST credentials end to end")
    func turnExchange() throws {
        let credentials = try TurnRESTCredentials(secret: "north-secret", user: "probe", ttl: 600,
                                                  now: Date(timeIntervalSince1970: 1_800_000_000))
        let key = credentials.integrityKey(realm: "north.example")
        let request = StunMessage(method: .allocate, class: .request, transactionID: .random(), attributes: [
            .requestedTransport(.udp), .lifetime(600), .username(credentials.username),
            .realm("north.example"), .nonce("abc123"),
        ])
        let received = try StunMessage(decoding: request.encoded(integrity: key, fingerprint: true))
        #expect(received.verifyIntegrity(key: key))
        #expect(!received.verifyIntegrity(key: credentials.integrityKey(realm: "south.example")))
    }
}
