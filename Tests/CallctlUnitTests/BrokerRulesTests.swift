import CallDomain
import Foundation
import PusherProtocol
@testable import SignalingServer
import Testing

/// The PeerJS broker's pure parts: peer ids, the relay rule, who may be issued an id, the peer
/// token and the protocol's messages.
@Suite("PeerJS broker rules")
struct BrokerRulesTests {
    static let call = UUID(uuidString: "7f000001-0000-4000-8000-000000000001")!
    static let otherCall = UUID(uuidString: "7f000001-0000-4000-8000-000000000002")!
    static let expiry = Date(timeIntervalSince1970: 1_800_000_000)

    static func peer(_ id: String, user: Int64, call: UUID = call, current: Bool = true, open: Bool = true) -> BrokerPeer {
        BrokerPeer(peerId: id, userId: user, appointmentId: 42, callId: call, expiresAt: expiry, current: current, callOpen: open)
    }

    @Test("peer ids: the PeerJS client's own pattern, at most 64 characters; callctl's are cc + 32 hex digits")
    func ids() {
        for good in ["a", "cc0123456789abcdef0123456789abcdef", "doctor-1", "a_b c-d", String(repeating: "x", count: 64)] {
            #expect(BrokerPeer.isWellFormed(good), "\(good)")
        }
        for bad in ["", "-a", "a-", "a--b", "a b ", "é", "a/b", "a.b", String(repeating: "x", count: 65), "None "] {
            #expect(!BrokerPeer.isWellFormed(bad), "\(bad)")
        }
        let id = BrokerPeer.newId(randomBytes: Array(0..<16))
        #expect(id == "cc000102030405060708090a0b0c0d0e0f")
        #expect(BrokerPeer.isWellFormed(id))
    }

    @Test("diagnostic pairs: diag-{32 hex}-a and -b are the two participants of one throwaway call, and nothing else parses")
    func diagnostic() throws {
        let (a, b) = BrokerPeer.diagnosticPair(randomBytes: Array(0..<16))
        #expect(a == "diag-000102030405060708090a0b0c0d0e0f-a" && b == "diag-000102030405060708090a0b0c0d0e0f-b")
        let first = try #require(BrokerPeer.diagnostic(a)), second = try #require(BrokerPeer.diagnostic(b))
        #expect(first.callId == second.callId && first.userId == -1 && second.userId == -2 && first.isDiagnostic)
        #expect(first.callId.uuidString.lowercased() == "00010203-0405-0607-0809-0a0b0c0d0e0f")
        #expect(BrokerRelayRule.verdict(from: first, dst: b, destination: second) == .relay)
        #expect(BrokerPeer.isWellFormed(a))
        for bad in ["diag-000102030405060708090a0b0c0d0e0f-c", "diag-000102030405060708090A0B0C0D0E0F-a", "diag-0001-a",
                    "xdiag-000102030405060708090a0b0c0d0e0f-a", "cc000102030405060708090a0b0c0d0e0f"] {
            #expect(BrokerPeer.diagnostic(bad) == nil, "\(bad)")
        }
        let issued = Self.peer("cc01", user: 1)
        guard case .refuse = BrokerRelayRule.verdict(from: first, dst: "cc01", destination: issued) else {
            Issue.record("a diagnostic peer must not reach a real one")
            return
        }
    }

    @Test("relay: only to the other participant's current id of the same open call; a replaced id or an ended call expires")
    func relay() {
        let doctor = Self.peer("d1", user: 1), patient = Self.peer("p1", user: 2)
        #expect(BrokerRelayRule.verdict(from: doctor, dst: "p1", destination: patient) == .relay)
        #expect(BrokerRelayRule.verdict(from: patient, dst: "d1", destination: doctor) == .relay)
        #expect(BrokerRelayRule.verdict(from: doctor, dst: "p0", destination: Self.peer("p0", user: 2, current: false)) == .expire)
        #expect(BrokerRelayRule.verdict(from: doctor, dst: "p1", destination: Self.peer("p1", user: 2, open: false)) == .expire)
        #expect(BrokerRelayRule.verdict(from: Self.peer("d1", user: 1, open: false), dst: "p1", destination: patient) == .expire)
        for (dst, destination) in [("x", nil), ("d2", Self.peer("d2", user: 1)), ("q", Self.peer("q", user: 3, call: Self.otherCall)),
                                   ("p9", Self.peer("p9", user: 2, call: Self.otherCall))] as [(String, BrokerPeer?)] {
            guard case .refuse = BrokerRelayRule.verdict(from: doctor, dst: dst, destination: destination) else {
                Issue.record("\(dst) should be refused")
                continue
            }
        }
    }

    @Test("issuing: a participant of the open call gets an id; another call, no call, a stranger or nobody does not")
    func issue() throws {
        let appointment = AppointmentSnapshot(id: 42, tenantId: 1, doctorUserId: 1, patientUserId: 2, status: .scheduled,
                                              scheduledAt: Self.expiry, durationMinutes: 30, startedAt: nil)
        let session = CallSessionSnapshot(id: Self.call, state: .ringing, callerUserId: 1, calleeUserId: 2, requestedAt: Self.expiry)
        func facts(_ actor: Int64?, _ open: CallSessionSnapshot?) -> CallFacts {
            CallFacts(actorUserId: actor, appointment: appointment, doctor: DoctorSnapshot(status: .active, licenseValidUntil: nil),
                      openSession: open)
        }
        #expect(try PeerPolicy.authorizeIssue(callId: Self.call, facts: facts(1, session)) == .doctor)
        #expect(try PeerPolicy.authorizeIssue(callId: Self.call, facts: facts(2, session)) == .patient)
        #expect(throws: DomainError.self) { try PeerPolicy.authorizeIssue(callId: Self.otherCall, facts: facts(1, session)) }
        #expect(throws: DomainError.self) { try PeerPolicy.authorizeIssue(callId: Self.call, facts: facts(1, nil)) }
        #expect(throws: DomainError.self) { try PeerPolicy.authorizeIssue(callId: Self.call, facts: facts(3, session)) }
        #expect(throws: DomainError.self) { try PeerPolicy.authorizeIssue(callId: Self.call, facts: facts(nil, session)) }
    }

    @Test("peer token: binds key, id, user, appointment, call and expiry; a change in any, another secret or the past refuses it")
    func token() {
        let app = PusherApp(id: "1", key: "key", secret: "secret")
        let peer = Self.peer("cc01", user: 1)
        let token = peer.token(app: app)
        let before = Self.expiry.addingTimeInterval(-1)
        #expect(token.hasPrefix("1800000000."))
        #expect(PeerToken.check(token, for: peer.tokenBinding, app: app, now: before) == nil)
        #expect(PeerToken.check(token, for: peer.tokenBinding, app: app, now: Self.expiry) == .expired)
        let others = [Self.peer("cc02", user: 1), Self.peer("cc01", user: 2), Self.peer("cc01", user: 1, call: Self.otherCall),
                      BrokerPeer(peerId: "cc01", userId: 1, appointmentId: 43, callId: Self.call, expiresAt: Self.expiry,
                                 current: true, callOpen: true)]
        for other in others { #expect(PeerToken.check(token, for: other.tokenBinding, app: app, now: before) == .forged) }
        #expect(PeerToken.check(token, for: peer.tokenBinding, app: PusherApp(id: "1", key: "key", secret: "other"), now: before) == .forged)
        #expect(PeerToken.check(token, for: peer.tokenBinding, app: PusherApp(id: "1", key: "key2", secret: "secret"), now: before) == .forged)
        let signature = token.split(separator: ".")[1]
        #expect(PeerToken.check("1900000000.\(signature)", for: peer.tokenBinding, app: app, now: before) == .forged)
        for bad in ["", "x", "1.2.3", ".abc", "abc.", "-5.abc", "99999999999999.abc", "<peerjs_py.peer.Peer object at 0x7f>"] {
            #expect(PeerToken.check(bad, for: peer.tokenBinding, app: app, now: before) != nil, "\(bad)")
        }
        #expect(!token.contains(app.secret))
    }

    @Test("messages: parsed with dst and an opaque payload; written in the stock server's key order")
    func messages() throws {
        guard case .success(let offer) = PeerJSMessage.parse(#"{"type": "OFFER", "dst": "p1", "payload": {"sdp": {"type": "offer"}, "connectionId": "dc_1"}, "src": "forged"}"#) else {
            Issue.record("an OFFER should parse")
            return
        }
        #expect(offer.kind == .offer && offer.dst == "p1")
        #expect(PeerJSMessage.encode(.offer, src: "d1", dst: "p1", payload: offer.payload)
                == #"{"type":"OFFER","src":"d1","dst":"p1","payload":{"connectionId":"dc_1","sdp":{"type":"offer"}}}"#)
        guard case .success(let beat) = PeerJSMessage.parse(#"{"type":"HEARTBEAT"}"#) else {
            Issue.record("HEARTBEAT should parse")
            return
        }
        #expect(beat.kind == .heartbeat && beat.dst == nil)
        let failures: [(String, PeerJSMessage.Problem)] = [
            ("not json", .notJSON), ("[1]", .notJSON), (#"{"dst":"x"}"#, .noType), (#"{"type":"OPEN"}"#, .unknownType("OPEN")),
            (#"{"type":"ERROR"}"#, .unknownType("ERROR")), (#"{"type":"NOPE"}"#, .unknownType("NOPE")),
            (#"{"type":"OFFER","dst":5}"#, .badDestination),
        ]
        for (text, problem) in failures {
            guard case .failure(let got) = PeerJSMessage.parse(text) else {
                Issue.record("\(text) should not parse")
                continue
            }
            #expect(got == problem, "\(text)")
        }
        #expect(PeerJSMessage.error("No \"id\"") == #"{"type":"ERROR","payload":{"msg":"No \"id\""}}"#)
        #expect(PeerJSMessage.idTaken == #"{"type":"ID-TAKEN","payload":{"msg":"ID is taken"}}"#)
        #expect(PeerJSMessage.encode(.expire, src: "p1", dst: "d1") == #"{"type":"EXPIRE","src":"p1","dst":"d1"}"#)
    }
}
