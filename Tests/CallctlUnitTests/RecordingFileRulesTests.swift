import CallDomain
import Foundation
import PusherProtocol
import Testing

/// The recording files' pure rules: the webhook's announcement and signature, who may
/// download, retention, and the stop that goes with a call's end.
@Suite("recording file rules")
struct RecordingFileRulesTests {
    static let call = UUID(uuidString: "7f000001-0000-4000-8000-0000000000bb")!
    static let at = Date(timeIntervalSince1970: 1_800_000_000)

    static func notice(id: String = "rec-1", size: Int64 = 10, duration: Int = 60) throws(DomainError) -> RecordingNotice {
        try RecordingNotice(recordingId: id, appointmentId: 42, callId: call, location: "a/b.webm", sizeBytes: size, durationSeconds: duration)
    }

    static func decide(call: Bool = true, started: Bool = true, stored: String? = nil) -> String {
        do {
            let facts = RecordingArrivalFacts(callOfAppointment: call, recordingStarted: started, storedBodyHash: stored, bodyHash: "h1")
            return "\(try RecordingArrivalRule.decide(try notice(), facts: facts))"
        } catch {
            return error.reason.rawValue
        }
    }

    @Test("an announcement: stored once, a retry is a duplicate, other contents a conflict, a call never recorded a violation")
    func arrival() {
        #expect(Self.decide() == "store")
        #expect(Self.decide(stored: "h1") == "duplicate")
        #expect(Self.decide(stored: "h2") == "recording_conflict")
        #expect(Self.decide(started: false) == "violation")
        #expect(Self.decide(call: false) == "not_found")
        #expect(Self.decide(call: false, stored: "h1") == "not_found")
        #expect(RecordingArrivalRule.violation(try! Self.notice()).reason == .consentMissing)
    }

    @Test("announcement fields: id characters and length, size and duration bounds")
    func fields() {
        for bad in ["", "with space", "slash/", String(repeating: "a", count: 129), "é"] {
            #expect(throws: DomainError.self, "\(bad)") { try Self.notice(id: bad) }
        }
        #expect(throws: DomainError.self) { try Self.notice(size: -1) }
        #expect(throws: DomainError.self) { try Self.notice(size: RecordingNotice.maximumSizeBytes + 1) }
        #expect(throws: DomainError.self) { try Self.notice(duration: 86_401) }
        #expect((try? Self.notice(id: "svc:2026-12.rec_1")) != nil)
    }

    @Test("retention: strictly older than recording.retention is due")
    func retention() throws {
        var settings = CallSettings.defaults
        #expect(settings.recordingRetentionSeconds == 30 * 86_400)
        settings.recordingRetentionSeconds = 86_400
        let rule = RetentionRule(settings)
        #expect(rule.cutoff(now: Self.at, tenant: 1) == Self.at.addingTimeInterval(-86_400))
        #expect(!rule.isDue(receivedAt: Self.at.addingTimeInterval(-86_400), tenant: 1, now: Self.at))
        #expect(rule.isDue(receivedAt: Self.at.addingTimeInterval(-86_401), tenant: 1, now: Self.at))
        #expect(throws: DomainError.self) { try SettingKey.recordingRetention.parse(cliText: "12h") }
        #expect(try SettingKey.recordingRetention.parse(cliText: "90d") == .number(90 * 86_400))
    }

    @Test("retention per tenant: a tenant's own value wins for its recordings; the shortest bounds what may be due")
    func retentionPerTenant() {
        let rule = RetentionRule(CallSettings.defaults, byTenant: [3: 7 * 86_400, 5: 365 * 86_400])
        #expect(rule.seconds(tenant: 3) == 7 * 86_400 && rule.seconds(tenant: 5) == 365 * 86_400)
        #expect(rule.seconds(tenant: 4) == 30 * 86_400 && rule.seconds(tenant: nil) == 30 * 86_400)
        let tenDaysOld = Self.at.addingTimeInterval(-10 * 86_400)
        #expect(rule.isDue(receivedAt: tenDaysOld, tenant: 3, now: Self.at))
        #expect(!rule.isDue(receivedAt: tenDaysOld, tenant: 4, now: Self.at))
        let yearOld = Self.at.addingTimeInterval(-40 * 86_400)
        #expect(rule.isDue(receivedAt: yearOld, tenant: 4, now: Self.at) && !rule.isDue(receivedAt: yearOld, tenant: 5, now: Self.at))
        #expect(rule.latestCutoff(now: Self.at) == Self.at.addingTimeInterval(-7 * 86_400))
        #expect(RetentionRule(CallSettings.defaults).latestCutoff(now: Self.at) == Self.at.addingTimeInterval(-30 * 86_400))
        // Only the retention may differ per tenant.
        #expect(SettingKey.allCases.filter(\.isPerTenant) == [.recordingRetention])
    }

    @Test("downloads: the two participants only; anyone else gets not_found")
    func access() throws {
        let appointment = AppointmentSnapshot(id: 42, tenantId: 1, doctorUserId: 1, patientUserId: 2, status: .completed,
                                              scheduledAt: Self.at, durationMinutes: 30, startedAt: Self.at)
        #expect(try RecordingAccess.downloader(1, of: appointment) == .doctor)
        #expect(try RecordingAccess.downloader(2, of: appointment) == .patient)
        #expect(throws: DomainError.self) { try RecordingAccess.downloader(3, of: appointment) }
        #expect(RecordingAccess.noRecording(42).reason == .notFound)
    }

    @Test("a call's end stops a running recording (call_ended, by null), and nothing else")
    func stopOnEnd() throws {
        var session = CallSessionSnapshot(id: Self.call, state: .inCall, callerUserId: 1, calleeUserId: 2, requestedAt: Self.at)
        #expect(RecordingPolicy.stopOnEnd(of: session, appointmentId: 42, at: Self.at) == nil)
        session.recordingSince = Self.at
        let stop = try #require(RecordingPolicy.stopOnEnd(of: session, appointmentId: 42, at: Self.at))
        #expect(stop.reason == "call_ended" && stop.by == nil)
        let json = String(decoding: try JSONEncoder().encode(stop), as: UTF8.self)
        #expect(json.contains("\"by\":null"), "\(json)")
    }

    @Test("the webhook signature: v1= HMAC over timestamp and body; mismatch, malformed and stale are refused")
    func signature() {
        let body = Data(#"{"recordingId":"r1"}"#.utf8)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let signed = WebhookSignature.sign(body: body, timestamp: 1_800_000_000, secret: "s3cret")
        // printf '1800000000.{"recordingId":"r1"}' | openssl dgst -sha256 -hmac s3cret
        #expect(signed == "v1=" + PusherCrypto.hmacSHA256Hex(secret: "s3cret", message: #"1800000000.{"recordingId":"r1"}"#))
        func verify(_ timestamp: String?, _ signature: String?, secret: String = "s3cret", body: Data = body) -> String {
            do {
                try WebhookSignature.verify(body: body, timestamp: timestamp, signature: signature, secret: secret, now: now)
                return "ok"
            } catch {
                return switch error {
                case .malformed: "malformed"
                case .mismatch: "mismatch"
                case .stale(let age): "stale \(age)"
                }
            }
        }
        #expect(verify("1800000000", signed) == "ok")
        #expect(verify("1800000000", signed, secret: "other") == "mismatch")
        #expect(verify("1800000000", signed, body: Data(#"{"recordingId":"r2"}"#.utf8)) == "mismatch")
        #expect(verify(nil, signed) == "malformed")
        #expect(verify("soon", signed) == "malformed")
        #expect(verify("1800000000", nil) == "malformed")
        #expect(verify("1800000000", String(signed.dropFirst(3))) == "malformed")
        let old = WebhookSignature.sign(body: body, timestamp: 1_799_999_699, secret: "s3cret")
        #expect(verify("1799999699", old) == "stale 301")
        let edge = WebhookSignature.sign(body: body, timestamp: 1_799_999_700, secret: "s3cret")
        #expect(verify("1799999700", edge) == "ok")
        let future = WebhookSignature.sign(body: body, timestamp: 1_800_000_301, secret: "s3cret")
        #expect(verify("1800000301", future) == "stale -301")
    }
}
