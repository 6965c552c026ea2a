import CallDomain
import Foundation
import Testing

@Suite("Events and audit types")
struct CallDomainEventsTests {
    typealias F = DomainFixture
    let at: Date
    let doctor = EventBy(id: 10, role: .doctor)
    let patient = EventBy(id: 20, role: .patient)
    let id = "a1b2c3d4-e5f6-4708-890a-1b2c3d4e5f60"

    init() throws {
        at = try F.instant("2026-11-21T07:03:21.123Z")
    }

    func json(_ event: CallEvent) -> String { String(decoding: event.jsonPayload(), as: UTF8.self) }

    @Test("payloads byte for byte")
    func payloads() throws {
        let from = EventFrom(id: 10, name: #"Dr. José "Pepe" Souza/MD"#, role: .doctor)
        #expect(json(CallEvent(AppointmentCallRequested(appointmentId: 42, callId: F.callId, from: from, peerId: "peer-10", at: at)))
            == #"{"appointmentId":42,"at":"2026-11-21T07:03:21.123Z","callId":"\#(id)","from":{"id":10,"name":"Dr. José \"Pepe\" Souza/MD","role":"doctor"},"peerId":"peer-10"}"#)
        #expect(json(CallEvent(AppointmentCallAccepted(appointmentId: 42, callId: F.callId, by: patient, peerId: nil)))
            == #"{"appointmentId":42,"by":{"id":20,"role":"patient"},"callId":"\#(id)","peerId":null}"#)
        #expect(json(CallEvent(AppointmentCallStarted(appointmentId: 42, callId: F.callId, who: EventWho(id: 20), at: at)))
            == #"{"appointmentId":42,"at":"2026-11-21T07:03:21.123Z","callId":"\#(id)","who":{"id":20}}"#)
        let connectedAt = try F.instant("2026-11-21T07:00:00.900Z")
        #expect(json(CallEvent(AppointmentCallEnded(appointmentId: 42, callId: F.callId, reason: .heartbeatLost, connectedAt: connectedAt, at: at)))
            == #"{"appointmentId":42,"at":"2026-11-21T07:03:21.123Z","callId":"\#(id)","duration":200,"reason":"heartbeat_lost"}"#)
        #expect(json(CallEvent(AppointmentCallCancelled(appointmentId: 42, callId: F.callId, by: doctor, at: at)))
            == #"{"appointmentId":42,"at":"2026-11-21T07:03:21.123Z","by":{"id":10,"role":"doctor"},"callId":"\#(id)"}"#)
        #expect(json(CallEvent(AppointmentCallDeclined(appointmentId: 42, callId: F.callId, by: patient, at: at)))
            == #"{"appointmentId":42,"at":"2026-11-21T07:03:21.123Z","by":{"id":20,"role":"patient"},"callId":"\#(id)"}"#)
        #expect(json(CallEvent(AppointmentBusy(appointmentId: 42, by: doctor, at: at)))
            == #"{"appointmentId":42,"at":"2026-11-21T07:03:21.123Z","by":{"id":10,"role":"doctor"}}"#)
        #expect(json(CallEvent(AppointmentNoShow(appointmentId: 9_007_199_254_740_993, at: at)))
            == #"{"appointmentId":9007199254740993,"at":"2026-11-21T07:03:21.123Z"}"#)
    }

    @Test("ended duration: whole seconds since connected, 0 if never connected")
    func duration() throws {
        func ended(_ connectedAt: Date?) -> Int {
            AppointmentCallEnded(appointmentId: 1, callId: F.callId, reason: .hangup, connectedAt: connectedAt, at: at).duration
        }
        #expect(ended(nil) == 0)
        #expect(ended(at) == 0)
        #expect(ended(at.addingTimeInterval(-0.999)) == 0)
        #expect(ended(at.addingTimeInterval(-1)) == 1)
        #expect(ended(at.addingTimeInterval(-1800.5)) == 1800)
        #expect(ended(at.addingTimeInterval(5)) == 0)
    }

    @Test("names, namespace and channel")
    func names() throws {
        let event = CallEvent(AppointmentNoShow(appointmentId: 42, at: at))
        #expect(event.shortName == "AppointmentNoShow")
        #expect(event.fullName(namespace: CallSettings.defaults.eventNamespace) == #"App\Events\AppointmentNoShow"#)
        #expect(event.fullName(namespace: #"Clinic\Broadcast"#) == #"Clinic\Broadcast\AppointmentNoShow"#)
        #expect(event.channel == "private-appointments.42")
        #expect(event.appointmentId == 42)
        #expect(CallEventKind.allCases.map(\.rawValue) == [
            "AppointmentCallRequested", "AppointmentCallAccepted", "AppointmentCallStarted", "AppointmentCallEnded",
            "AppointmentCallCancelled", "AppointmentCallDeclined", "AppointmentBusy", "AppointmentNoShow", "AppointmentCallPeerChanged",
            "AppointmentRecordingStarted", "AppointmentRecordingStopped", "AppointmentRecordingAvailable", "AppointmentRecordingDeleted",
        ])
        let all: [CallEvent] = [
            CallEvent(AppointmentCallRequested(appointmentId: 1, callId: F.callId, from: EventFrom(id: 1, name: "A", role: .doctor), peerId: nil, at: at)),
            CallEvent(AppointmentCallAccepted(appointmentId: 2, callId: F.callId, by: doctor, peerId: "p")),
            CallEvent(AppointmentCallStarted(appointmentId: 3, callId: F.callId, who: EventWho(id: 1), at: at)),
            CallEvent(AppointmentCallEnded(appointmentId: 4, callId: F.callId, reason: .hangup, connectedAt: nil, at: at)),
            CallEvent(AppointmentCallCancelled(appointmentId: 5, callId: F.callId, by: doctor, at: at)),
            CallEvent(AppointmentCallDeclined(appointmentId: 6, callId: F.callId, by: patient, at: at)),
            CallEvent(AppointmentBusy(appointmentId: 7, by: doctor, at: at)),
            CallEvent(AppointmentNoShow(appointmentId: 8, at: at)),
            CallEvent(AppointmentCallPeerChanged(appointmentId: 9, callId: F.callId, by: patient, peerId: "cc01", at: at)),
            CallEvent(AppointmentRecordingStarted(appointmentId: 10, callId: F.callId, by: doctor, at: at)),
            CallEvent(AppointmentRecordingStopped(appointmentId: 11, callId: F.callId, by: patient, reason: .consentWithdrawn, at: at)),
            CallEvent(AppointmentRecordingAvailable(try RecordingNotice(recordingId: "r1", appointmentId: 12, callId: F.callId,
                                                                    location: "a/b.webm", sizeBytes: 10, durationSeconds: 5), at: at)),
            CallEvent(AppointmentRecordingDeleted(appointmentId: 13, callId: F.callId, recordingId: "r1", at: at)),
        ]
        #expect(all.map(\.kind) == CallEventKind.allCases)
        #expect(all.map(\.shortName) == CallEventKind.allCases.map(\.rawValue))
        #expect(all.map(\.appointmentId) == Array(1...13))
    }

    @Test("timestamps are UTC with milliseconds, rounded")
    func timestamps() throws {
        #expect(ISOTimestamp.format(at) == "2026-11-21T07:03:21.123Z")
        #expect(ISOTimestamp.format(try F.instant("2026-11-21T08:03:21+01:00")) == "2026-11-21T07:03:21.000Z")
        #expect(ISOTimestamp.format(Date(timeIntervalSince1970: 1_700_000_000.1234)) == "2023-11-14T22:13:20.123Z")
        #expect(ISOTimestamp.format(Date(timeIntervalSince1970: 1_700_000_000.9996)) == "2023-11-14T22:13:21.000Z")
        #expect(ISOTimestamp.format(Date(timeIntervalSince1970: -0.5)) == "1969-12-31T23:59:59.500Z")
    }

    @Test("audit types for actions and end reasons")
    func audit() {
        #expect(AuditEventType.allCases.map(\.rawValue) == [
            "request", "accept", "decline", "cancel", "busy", "join", "leave", "timeout", "reaped", "no_show", "operator_end", "error", "ice", "quality",
            "peer", "broker_join", "broker_leave", "recording_consent", "recording_started", "recording_stopped",
            "recording_available", "recording_violation", "recording_downloaded", "recording_deleted",
        ])
        let actions: [(CallAction, AuditEventType?)] = [
            (.accept, .accept), (.decline, .decline), (.cancel, .cancel), (.started, .join), (.heartbeat, nil),
            (.end, .leave), (.close(.timeoutNoAnswer), .timeout),
        ]
        for (action, type) in actions {
            #expect(AuditEventType.recorded(for: action) == type, "\(action.name)")
        }
        let reasons: [EndReason: AuditEventType] = [
            .hangup: .leave, .declined: .decline, .cancelled: .cancel, .timeoutNoAnswer: .timeout,
            .connectTimeout: .timeout, .heartbeatLost: .reaped, .maxDuration: .reaped, .windowClosed: .noShow,
            .operatorEnded: .operatorEnd, .error: .error,
        ]
        for reason in EndReason.allCases {
            #expect(AuditEventType.recorded(forEnd: reason) == reasons[reason], "\(reason.rawValue)")
        }
    }
}
