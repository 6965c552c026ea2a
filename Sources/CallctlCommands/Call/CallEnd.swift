import ArgumentParser
import CallDomain
import CallStore
import Foundation
import Postgres

/// `callctl call end <call-id> --reason …`: an operator ends a stuck call.
struct CallEnd: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "end",
        abstract: "End a stuck call as an operator (audited, announced through the outbox).",
        discussion: """
        Ends an open call (ringing, accepted or in_call) with end reason `operator`: the audit \
        row `operator_end` names the operator (--by, default $USER) and keeps --reason; \
        AppointmentCallEnded goes to both browsers through the outbox. An in_progress \
        appointment stays open for a new call (the reaper completes it if none comes). A call \
        that already ended is refused, changing nothing.

        Exit codes: 0 ended, 1 already ended or no such call, 69 database unavailable, 78 bad \
        configuration.

        Examples:
          callctl call end <call-id> --reason "stuck in_call after the patient's phone died"
          callctl call end <call-id> --reason "ticket OPS-123" --by alice --format json
        """
    )

    @Argument(help: ArgumentHelp("The call id (UUID), as `callctl call show` or `call list` print it.", valueName: "call-id"))
    var id: String
    @Option(name: .long, help: ArgumentHelp("Why the call is ended (kept in the audit row).", valueName: "text"))
    var reason: String
    @Option(name: .long, help: ArgumentHelp("The operator's name; default $USER.", valueName: "name")) var by: String?
    @Option(name: .long, help: "Result format: text or json.") var format: OutputFormat = .text
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard UUID(uuidString: id) != nil else {
            throw ValidationError("'\(id.prefix(64))' is not a call id (a UUID); `callctl call show <appointment-id>` prints it")
        }
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty, reason.count <= OperatorEnd.maximumTextLength else {
            throw ValidationError("--reason must say why, in 1 to \(OperatorEnd.maximumTextLength) characters")
        }
        if let by, by.trimmingCharacters(in: .whitespaces).isEmpty || by.count > OperatorEnd.maximumTextLength {
            throw ValidationError("--by must name the operator, in 1 to \(OperatorEnd.maximumTextLength) characters")
        }
    }

    func run(in context: CommandContext) async throws {
        try await context.reportingFailures(logging: logging) {
            let session = try context.session(database: database, logging: logging, label: "callctl.call")
            guard let callId = UUID(uuidString: id), let operatorName = by ?? context.variables["USER"].flatMap({ $0.isEmpty ? nil : $0 })
            else {
                throw ValidationError("--by is needed: $USER is not set on this shell")
            }
            let (note, now) = (reason, session.now())
            let outcome = try await session.withConnection {
                try OperatorEnd.run(callId: callId, operatorName: operatorName, note: note, now: now, on: $0)
            }
            let call = callId.uuidString.lowercased()
            switch outcome {
            case .ended(let appointmentId, let from):
                session.logger.notice("call ended by an operator", metadata: [
                    "callId": "\(call)", "appointmentId": "\(appointmentId)", "event": "operator_end", "by": "\(operatorName)",
                ])
                switch format {
                case .json: try session.output.json(CallEndReport(callId: call, appointmentId: appointmentId, from: from.rawValue,
                                                                  by: operatorName, reason: note), keys: .convertToSnakeCase)
                case .text: session.output.line("ended call \(call) of appointment \(appointmentId) (was \(from.rawValue)) as "
                    + "operator, by \(operatorName); both browsers get AppointmentCallEnded")
                }
            case .alreadyEnded(let reason, let at):
                throw Failure(message: "call \(call) already ended (\(reason)\(at.map { " at \(PGTimestamp.format($0))" } ?? "")); "
                    + "nothing was changed. `callctl call show \(call)` shows its story", exitCode: Failure.failed)
            case .notFound:
                throw Failure(message: "there is no call \(call) in this database: check the id (`callctl call list` lists open "
                    + "calls) and that --env-file or DATABASE_URL point at the production database", exitCode: Failure.failed)
            }
        }
    }
}

/// `call end --format json`.
struct CallEndReport: Encodable {
    let callId: String
    let appointmentId: Int64
    let from: String
    let by: String
    let reason: String
}
