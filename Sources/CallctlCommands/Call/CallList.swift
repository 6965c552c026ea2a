import ArgumentParser
import CallDomain
import CallStore
import Foundation
import Postgres

/// `callctl call list`: the open calls, or the calls of a period, with filters.
struct CallList: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the open calls, or the calls requested in a period, newest first.",
        discussion: """
        Without --since: the calls still open (ringing, accepted, in_call). With --since: the \
        calls requested in that long (e.g. 30m, 24h, 7d). Filters combine. Ids are printed \
        whole, for `callctl call show` and `callctl call end`.

        Exit codes: 0 listed (even none), 64 usage, 69 database unavailable, 78 bad configuration.

        Examples:
          callctl call list
          callctl call list --since 24h --end-reason timeout_no_answer
          callctl call list --since 7d --doctor <doctor-user-id> --format csv > calls.csv
          callctl call list --since 1h --tenant <tenant-id> --format json | jq length
        """
    )

    @Option(name: .long, help: ArgumentHelp("Calls requested in this long (30m, 24h, 7d); default: the open calls.",
                                            valueName: "duration"))
    var since: String?
    @Option(name: .long, help: ArgumentHelp("Only the doctor with this user id.", valueName: "user-id")) var doctor: Int64?
    @Option(name: .long, help: ArgumentHelp("Only this tenant.", valueName: "tenant-id")) var tenant: Int64?
    @Option(name: .long, help: "Only calls in this state: ringing, accepted, in_call or ended.") var state: CallState?
    @Option(name: .long, help: ArgumentHelp("Only calls that ended for this reason.", valueName: "reason")) var endReason: EndReason?
    @Option(name: .long, help: "At most this many rows (1 to 10000).") var limit = 100
    @Option(name: .long, help: "Result format: text, json or csv.") var format: CallListFormat = .text
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        if let since, (DurationText.seconds(from: since) ?? 0) <= 0 {
            throw ValidationError("--since must be a positive duration such as 30m, 24h or 7d; got '\(since.prefix(32))'")
        }
        guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be 1 to 10000; got \(limit)") }
        if let doctor, doctor <= 0 { throw ValidationError("--doctor must be a user id (a positive number); got \(doctor)") }
        if let tenant, tenant <= 0 { throw ValidationError("--tenant must be a tenant id (a positive number); got \(tenant)") }
    }

    func run(in context: CommandContext) async throws {
        try await context.reportingFailures(logging: logging) {
            let session = try context.session(database: database, logging: logging, label: "callctl.call")
            let start = since.flatMap(DurationText.seconds(from:)).map { session.now().addingTimeInterval(-Double($0)) }
            let filter = CallListFilter(since: start, doctorUserId: doctor, tenantId: tenant, state: state, endReason: endReason,
                                        limit: limit)
            let rows = try await session.withConnection { try CallListQuery.read(filter, on: $0) }
            switch format {
            case .json: try session.output.json(rows, keys: .convertToSnakeCase)
            case .csv: session.output.write(Self.csv(rows))
            case .text:
                var table = TextTable("CALL", "APPOINTMENT", "TENANT", "DOCTOR", "PATIENT", "STATE", "END REASON", "REQUESTED (UTC)", "ENDED")
                for row in rows {
                    table.add(row.callId, "\(row.appointmentId)", "\(row.tenantId)", "\(row.doctorUserId)", "\(row.patientUserId)",
                              row.state, row.endReason ?? "-", PGTimestamp.formatSeconds(row.requestedAt),
                              row.endedAt.map(PGTimestamp.formatSeconds) ?? "-")
                }
                table.render().forEach(session.output.line)
                session.output.line(ReadableText.count(rows.count, since == nil ? "open call" : "call")
                    + (rows.count == limit ? " (the newest \(limit); raise --limit for more)" : ""))
            }
        }
    }

    /// RFC 4180 CSV with a header row.
    static func csv(_ rows: [CallListRow]) -> String {
        let header = ["call_id", "appointment_id", "tenant_id", "doctor_user_id", "patient_user_id", "state", "end_reason",
                      "requested_at", "connected_at", "ended_at"]
        let lines = [header] + rows.map { row in
            [row.callId, "\(row.appointmentId)", "\(row.tenantId)", "\(row.doctorUserId)", "\(row.patientUserId)", row.state,
             row.endReason ?? "", PGTimestamp.format(row.requestedAt), row.connectedAt.map(PGTimestamp.format) ?? "",
             row.endedAt.map(PGTimestamp.format) ?? ""]
        }
        return lines.map { $0.map(KPICSVFormat.field).joined(separator: ",") + "\r\n" }.joined()
    }
}

/// `call list --format`.
enum CallListFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text, json, csv
}

extension CallState: ExpressibleByArgument {}
extension EndReason: ExpressibleByArgument {}
