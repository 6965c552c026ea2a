import ArgumentParser
import CallDomain
import CallStore
import Foundation

/// `callctl diagnose call <appointment-id | call-id>`: `call show` plus live checks of both participants.
struct DiagnoseCall: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "One consultation: its story (as `call show`) and live checks of both participants.",
        discussion: """
        Prints what `callctl call show` prints, then for the doctor and the patient: does the \
        user still exist, how many of their Passport tokens are usable (when \
        oauth_access_tokens exists), and how many of their sockets are on the appointment's \
        channel and on their user channel on a running daemon right now.

        Exit codes: 0 no live problem, 1 a live problem (a participant's user is gone or has no \
        usable token, or a call is open and a participant is not connected) or no such \
        appointment or call, 69 database unavailable, 78 bad configuration.

        Examples:
          callctl diagnose call <appointment-id> --env-file /etc/callctl/callctl.env
          callctl diagnose call <call-id> --format json | jq .live
        """
    )

    @OptionGroup var options: CallStoryOptions

    func run(in context: CommandContext) async throws {
        try await context.reportingFailures(logging: options.logging) {
            let (session, story, verdict) = try await options.read(in: context, label: "callctl.diagnose")
            let appointment = story.appointment
            let live = try await session.withConnection {
                try LiveCallChecks.read(appointmentId: appointment.id,
                                        userIds: [appointment.doctor.userId, appointment.patient.userId], on: $0)
            }
            let open = story.sessions.last.map { $0.endReason == nil } ?? false
            let problems = live.flatMap { state in Self.problems(state, role: appointment.role(of: state.userId) ?? "user", callOpen: open) }
            switch options.format {
            case .json:
                try session.output.json(DiagnoseCallReport(call: CallStoryReport(story: story, verdict: verdict, timeZone: options.zone.tz),
                                                           live: live, problems: problems), keys: .convertToSnakeCase)
            case .text:
                options.text(story, verdict).lines().forEach(session.output.line)
                session.output.line("")
                session.output.line("live checks:")
                for state in live {
                    let role = appointment.role(of: state.userId) ?? "user"
                    let tokens = state.usableTokens.map { "\($0) usable token(s)" } ?? "tokens not checked (no oauth_access_tokens)"
                    session.output.line("  \(role) (user \(state.userId)): \(state.exists ? "exists" : "DELETED"); \(tokens); "
                        + "\(state.appointmentSockets) socket(s) on the appointment channel, \(state.userChannelSockets) on the user channel")
                }
                session.output.line(problems.isEmpty ? "live: no problem found" : "live: " + problems.joined(separator: "; "))
            }
            if !problems.isEmpty { throw ExitCode(Failure.failed) }
        }
    }

    /// The live problems of one participant, each with what to do.
    static func problems(_ state: ParticipantLiveState, role: String, callOpen: Bool) -> [String] {
        var problems: [String] = []
        if !state.exists { problems.append("the \(role)'s user \(state.userId) no longer exists: their tokens vouch for nobody") }
        if state.usableTokens == 0 {
            problems.append("the \(role) has no usable Passport token (all revoked or expired): they must sign in again")
        }
        if callOpen, state.appointmentSockets == 0 {
            problems.append("a call is open but the \(role)'s browser is not on private-appointments (or its authorization "
                + "was not signed by callctl): ask them to reload the page; playbooks/echo-no-events.md")
        }
        return problems
    }
}

/// `diagnose call --format json`: `call` (as `call show --format json`), `live` and `problems`.
struct DiagnoseCallReport: Encodable {
    let call: CallStoryReport
    let live: [ParticipantLiveState]
    let problems: [String]
}
