import CallDomain
import Foundation
@testable import SignalingServer
import Testing

@Suite("Lifecycle command bodies")
struct SignalingCommandBodyTests {
    let id = "a1b2c3d4-e5f6-4708-890a-1b2c3d4e5f60"

    func body(_ json: String) throws -> CommandBody {
        try JSONDecoder().decode(CommandBody.self, from: Data(json.utf8))
    }

    func refusal(_ work: () throws -> Any?) -> APIError? {
        do {
            _ = try work()
            return nil
        } catch {
            return error as? APIError
        }
    }

    @Test("each action maps to its command with the callId")
    func actions() throws {
        let uuid = try #require(UUID(uuidString: id))
        let parsed = try body(#"{"callId":"\#(id)","extra":true}"#)
        #expect(try parsed.command(action: "request") == .request)
        #expect(try parsed.command(action: "accept") == .accept(callId: uuid))
        #expect(try parsed.command(action: "decline") == .decline(callId: uuid))
        #expect(try parsed.command(action: "cancel") == .cancel(callId: uuid))
        #expect(try parsed.command(action: "started") == .started(callId: uuid))
        #expect(try parsed.command(action: "heartbeat") == .heartbeat(callId: uuid))
        #expect(try parsed.command(action: "end") == .end(callId: uuid))
    }

    @Test("missing or malformed callId is 422 naming it; an unknown action is 404")
    func badCallId() throws {
        let missing = refusal { try body("{}").command(action: "accept") }
        #expect(missing?.status == .unprocessableContent && missing?.message.contains("callId") == true)
        let malformed = refusal { try body(#"{"callId":"123"}"#).command(action: "end") }
        #expect(malformed?.reason == "validation" && malformed?.message.contains("UUID") == true)
        let unknown = refusal { try body("{}").command(action: "transfer") }
        #expect(unknown?.status == .notFound && unknown?.reason == "not_found")
    }

    @Test("peerId: letters, digits, - _ . up to 128; anything else is 422")
    func peerIds() throws {
        #expect(try body(#"{"peerId":"3f2a-peer_1.x"}"#).validatedPeerId() == "3f2a-peer_1.x")
        #expect(try body("{}").validatedPeerId() == nil)
        #expect(try body(#"{"peerId":"\#(String(repeating: "p", count: 128))"}"#).validatedPeerId()?.count == 128)
        for bad in ["", String(repeating: "p", count: 129), "a b", "<script>", "ü", "a/b"] {
            let json = String(decoding: try JSONEncoder().encode(["peerId": bad]), as: UTF8.self)
            #expect(refusal { try body(json).validatedPeerId() }?.reason == "validation", "\(bad)")
        }
    }

    @Test("errors render as the JSON body with their headers")
    func errorBody() throws {
        let response = APIError(DomainError(.busy, "Appointment 1 already has an open call.")).response()
        #expect(response.status.code == 409)
        #expect(response.headers[.contentType] == "application/json")
        let limited = APIError(.tooManyRequests, reason: "rate_limited", "Slow down.", headers: [.retryAfter: "3"]).response()
        #expect(limited.headers[.retryAfter] == "3")
        #expect(APIError.answering(CancellationError()).reason == "internal")
    }
}
