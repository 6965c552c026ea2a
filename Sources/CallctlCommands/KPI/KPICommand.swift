import ArgumentParser
import CallDomain
import CallStore

/// `callctl kpi`: the call KPIs of a period, in SQL, in five formats.
struct KPICommand: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "kpi",
        abstract: "Report call KPIs for a period: connection success, time to connect, timeouts, busy, duration, no-shows, "
            + "what tells failures apart (TURN relaying, drops, camera/mic, poor networks, end reasons), and recordings made and deleted.",
        discussion: """
        The period is [--from, --to): local calendar days in --tz (an IANA name, default UTC), \
        from --from's midnight up to, not including, --to's midnight, converted to UTC instants \
        for the query. --to is therefore the day after the last day reported.

        Definitions (docs/design.md "KPI definitions"):
        \(KPI.allCases.map { "  \($0.rawValue)\n" + wrapped($0.definition + ".", indent: "      ") }.joined(separator: "\n"))

        Call-session KPIs count sessions by requested_at; busy_rate counts `busy` audit events \
        (appointment_call_events.type = 'busy') by their `at`; mean_duration_s and no_show_rate \
        count appointments by scheduled_at, so mean_duration_s covers appointments completed \
        whose scheduled_at is in the period. relayed_share, poor_network_share and \
        permission_failures_per_100 count the browsers' reports (POST …/call/report) by their \
        time; recordings_made counts recordings by received_at and recordings_purged by \
        purged_at, each under its appointment's doctor and tenant; end_reasons lists every end reason with its count of sessions (json; ended_<reason> \
        columns in csv; callctl_kpi_calls_ended{reason} in prometheus; a line in the table; a \
        table in html). A rate whose denominator is 0 has no value: null in \
        JSON, an empty CSV field, no Prometheus sample, "—" for people.

        --by day groups by the local day in --tz and lists every day of the period (empty days \
        with zero counts and no rates); --by doctor and --by tenant group by the appointment's \
        doctor or tenant id (those with any activity). --tenant ID restricts everything to one tenant.

        Formats: table (default; rates as percentages with one decimal, a sparkline of calls per \
        day with --by day); csv (RFC 4180, one row per group then a "total" row, rates as \
        fractions); json (totals, groups, from, to, tz, by; rates as fractions or null); \
        prometheus (gauges callctl_kpi_* in base units, ratios and seconds, labels group and \
        day/doctor/tenant); html (one self-contained page, inline CSS and one SVG chart per KPI, \
        no scripts or external assets; without --by it charts per day).

        --output FILE writes the result to FILE instead of stdout, atomically (temporary file + \
        rename). --metrics-file FILE also writes the Prometheus text atomically, for \
        node_exporter's textfile collector (name it *.prom).

        Examples:
          callctl kpi --from 2026-03-01 --to 2026-04-01
          callctl kpi --from 2026-03-01 --to 2026-03-08 --by day --tz Europe/Berlin
          callctl kpi --from 2026-03-01 --to 2026-04-01 --by doctor --tenant 3 \\
              --format csv > march.csv
          callctl kpi --from 2026-03-01 --to 2026-04-01 --format json \\
              | jq .totals.connection_success_rate
          callctl kpi --from 2026-03-01 --to 2026-04-01 --format html \\
              --output /srv/reports/march.html
          callctl kpi --from "$(date -d yesterday +%F)" --to "$(date +%F)" \\
              --metrics-file /var/lib/node_exporter/textfile/callctl_kpi.prom
        """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions
    @Option(name: .long, help: ArgumentHelp("First day of the period, YYYY-MM-DD, in --tz.", valueName: "date")) var from: String
    @Option(name: .long, help: ArgumentHelp("Day after the last day of the period, YYYY-MM-DD, in --tz (excluded).", valueName: "date"))
    var to: String
    @Option(name: .long, help: "Break down by day (local, in --tz), doctor or tenant.") var by: KPIGrouping?
    @Option(name: .long, help: ArgumentHelp("Only this tenant's appointments, sessions and events.", valueName: "id")) var tenant: Int64?
    @Option(name: .long, help: ArgumentHelp("IANA time zone of the dates and of --by day.", valueName: "zone")) var tz = "UTC"
    @Option(name: .long, help: "Result format: table, csv, json, prometheus or html.") var format: KPIFormat = .table
    @Option(name: .long, help: ArgumentHelp("Write the result to this file atomically instead of stdout.", valueName: "file"))
    var output: String?
    @Option(name: .long, help: ArgumentHelp("Also write the Prometheus text atomically to this file.", valueName: "file"))
    var metricsFile: String?

    func validate() throws {
        _ = try period()
        if let tenant, tenant <= 0 { throw ValidationError("--tenant must be a tenant id (a positive number); got \(tenant)") }
    }

    func run(in context: CommandContext) async throws {
        try await context.reportingFailures(logging: logging) {
            let session = try context.session(database: database, logging: logging, label: "callctl.kpi")
            let query = KPIQuery(period: try period(), grouping: by ?? (format == .html ? .day : nil), tenant: tenant)
            let report = try await session.withConnection { try query.run(on: $0) }
            let text = try format.render(report)
            if let output {
                try AtomicFile.replace(output, with: text)
                session.logger.info("wrote the KPI report", metadata: ["file": "\(output)", "format": "\(format.rawValue)"])
            } else {
                session.output.write(text)
            }
            if let metricsFile {
                try AtomicFile.replace(metricsFile, with: format == .prometheus ? text : KPIPrometheusFormat.render(report))
                session.logger.info("wrote the KPI metrics", metadata: ["file": "\(metricsFile)"])
            }
        }
    }

    /// `text` broken into lines of at most 78 characters, each starting with `indent`.
    private static func wrapped(_ text: String, indent: String) -> String {
        var lines: [String] = []
        var line = indent
        for word in text.split(separator: " ") {
            if line.count + word.count + 1 > 78, line != indent {
                lines.append(line)
                line = indent
            }
            line += (line == indent ? "" : " ") + word
        }
        return (lines + [line]).joined(separator: "\n")
    }

    /// The period from the flags; a usage error names the flag and what it expects.
    private func period() throws -> KPIPeriod {
        guard let first = CalendarDay(from) else { throw ValidationError("--from must be a date YYYY-MM-DD; got '\(from)'") }
        guard let last = CalendarDay(to) else { throw ValidationError("--to must be a date YYYY-MM-DD; got '\(to)'") }
        do {
            return try KPIPeriod(from: first, to: last, zoneName: tz)
        } catch {
            throw ValidationError(error.description)
        }
    }
}
