import CallDomain
import Foundation

extension RecordedChange {
    /// The `recording_stopped` audit row and ``AppointmentRecordingStopped`` (reason
    /// `call_ended`) that go with ending `session` while it is recorded, in the transaction that
    /// ends it; nil when it is not recorded. `details` says who ended the call (the job, the
    /// operator or the participant's client); its `note` is set to the reason.
    static func recordingStop(ending session: CallSessionSnapshot, appointmentId: Int64, userId: Int64? = nil,
                              details: AuditDetails, at now: Date) -> RecordedChange? {
        guard let event = RecordingPolicy.stopOnEnd(of: session, appointmentId: appointmentId, at: now) else { return nil }
        return RecordedChange(
            appointmentId: appointmentId, callId: session.id, userId: userId, audit: .recordingStopped, at: now,
            details: AuditDetails(job: details.job, userAgent: details.userAgent, ip: details.ip, requestId: details.requestId,
                                  by: details.by, note: event.reason),
            event: CallEvent(event))
    }
}
