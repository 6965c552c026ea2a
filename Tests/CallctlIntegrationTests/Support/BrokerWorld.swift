import CallDomain
import Foundation
import PusherProtocol
@testable import SignalingServer
import Testing

/// A running `callctl serve` with one open call (the doctor rang the patient) and the two
/// participants' broker peer ids, and `Peers/broker_peer.py` to play PeerJS clients against it.
final class BrokerWorld {
    let s: ServeWorld
    let appointment: Int64
    let callId: String
    /// The answers of `POST …/call/peer`, by participant (`doctor`, `patient`).
    private(set) var issued: [String: [String: Any]] = [:]

    init(_ arguments: [String] = [], environment: [String: String?] = [:], label: String = #function) throws {
        s = try ServeWorld(arguments, environment: environment, label: label)
        appointment = try s.appointment()
        callId = try s.ring(appointment)
        issued["doctor"] = try issue(as: s.doctor)
        issued["patient"] = try issue(as: s.patient)
    }

    /// `POST /appointments/{id}/call/peer` as `user`; its answer (records an issue unless 200).
    func issue(as user: Int64, callId: String? = nil, appointment: Int64? = nil) throws -> [String: Any] {
        let response = try s.server.request("POST", "/appointments/\(appointment ?? self.appointment)/call/peer",
                                            token: try s.token(user), json: ["callId": callId ?? self.callId])
        #expect(response.status == 200, "\(response.text)")
        return response.json
    }

    func peerId(_ who: String) -> String { issued[who]?["peerId"] as? String ?? "" }
    func token(_ who: String) -> String { issued[who]?["token"] as? String ?? "" }

    /// A token for `who`'s peer id, signed with the app's secret, that expires at `expiry`.
    func token(_ who: String, expiring expiry: Date) -> String {
        let peer = BrokerPeer(peerId: peerId(who), userId: who == "doctor" ? s.doctor : s.patient, appointmentId: appointment,
                              callId: UUID(uuidString: callId)!, expiresAt: expiry, current: true, callOpen: true)
        return peer.token(app: PusherApp(id: ServeProcess.appID, key: ServeProcess.appKey, secret: ServeProcess.appSecret))
    }

    /// Runs a scenario of `broker_peer.py` with the two peers and `arguments`, against this
    /// world's daemon and then `others`.
    func run(_ scenario: String, _ arguments: [String: Any] = [:], others: [ServeProcess] = []) throws -> [String: Any] {
        let servers = [s.server] + others
        var all: [String: Any] = [
            "ws": servers.map { "ws://127.0.0.1:\($0.port)" }, "http": "http://127.0.0.1:\(s.server.port)", "path": "/peerjs",
            "key": ServeProcess.appKey,
            "peers": ["doctor": ["id": peerId("doctor"), "token": token("doctor")],
                      "patient": ["id": peerId("patient"), "token": token("patient")]],
        ]
        all.merge(arguments) { $1 }
        return try HubPeer.script("broker_peer.py", scenario, all, servers)
    }

    /// The audit rows of the call of `types`, as `type user note`.
    func audit(_ types: [String]) throws -> [String] {
        try s.world.connection.query("""
            SELECT type, user_id, coalesce(payload->>'note', '') AS note FROM appointment_call_events
            WHERE call_id = $1::uuid AND type = ANY($2::text[]) AND appointment_id = $3 ORDER BY id
            """, callId, "{\(types.joined(separator: ","))}", appointment).rows.map {
            "\(try $0.decode(String.self, "type")) \(try $0.decode(Int64.self, "user_id")) \(try $0.decode(String.self, "note"))"
        }
    }
}
