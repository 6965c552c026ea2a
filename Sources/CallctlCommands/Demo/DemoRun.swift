import AccessTokens
import ArgumentParser
import CallDomain
import CallctlConfig
import Foundation
import ICE
import LocalServices
import Logging
import Postgres

/// One run of `callctl demo`, step by step: the servers, the clinic, the calls, the jobs, the
/// probes, the diagnosis and the report, each checked; then everything is removed (or kept).
struct DemoRun {
    let system: DemoSystem
    let database: ConnectionSettings
    let keep: Bool
    /// With `keep`: the nginx server block to put in front of the daemon, when one was found.
    let nginxServerBlock: String?
    let output: Output
    let logger: Logger
    let progress: DemoProgress

    /// How many steps ``run()`` prints (the first one or two are the servers'); `--keep` adds nginx's.
    static func steps(keep: Bool) -> Int { keep ? 29 : 28 }
    /// The ringing timeout the demo sets, so that `jobs reap` has an unanswered call to close.
    static let ringingTimeout = 2

    /// Runs every step after the servers are up.
    func run() async throws {
        try await progress.step("migrate the schema: callctl migrate up") {
            try await command(["migrate", "up"])
        }
        let clinic = try await progress.step("seed a clinic: a doctor, 7 patients, appointments around the access window") {
            let connection = try PGConnection(settings: database, applicationName: "callctl demo")
            defer { connection.close() }
            let clinic = try DemoClinic.seed(on: connection, now: Date())
            for appointment in clinic.appointments {
                let minutes = Int((appointment.scheduledAt.timeIntervalSinceNow / 60).rounded())
                let when = minutes == 0 ? "now" : minutes > 0 ? "in \(DurationText.format(seconds: minutes * 60))" : "\(DurationText.format(seconds: -minutes * 60)) ago"
                progress.detail("appointment \(appointment.id)  \(appointment.patient.name.padding(toLength: 14, withPad: " ", startingAt: 0))  \(when.padding(toLength: 12, withPad: " ", startingAt: 0))  \(appointment.plan.rawValue)")
            }
            return clinic
        }
        try await progress.step("ring for \(Self.ringingTimeout) s instead of 30 s: callctl config set timeouts.ringing \(Self.ringingTimeout)s") {
            try await command(["config", "set", "timeouts.ringing", "\(Self.ringingTimeout)s"])
        }
        let recordings = try await progress.step("the recording storage: a directory behind nginx's secure_link (deploy/nginx/callctl.conf)") {
            let recordings = try system.startRecordings(serverBlock: nginxServerBlock)
            progress.detail("\(recordings.directory), download links under \(recordings.linkBase)"
                            + (recordings.nginx == nil ? " (nginx is not installed: links are issued, not followed)" : ""))
            return recordings
        }
        let port = try await progress.step("start the signaling daemon (callctl serve) in this process") {
            let port = try await system.startDaemon(database: database, logger: logger)
            progress.detail("listening on http://127.0.0.1:\(port): lifecycle API, Pusher WebSocket /app/\(system.secrets.appKey), /broadcasting/auth")
            return port
        }
        let issuer = try await AccessTokenIssuer.hs256(secret: system.secrets.jwtSecret)
        func token(_ person: DemoPerson) async throws -> String {
            try await issuer.token(userId: person.userId, expiry: Date().addingTimeInterval(3600))
        }
        let base = "http://127.0.0.1:\(port)"
        let doctorToken = try await token(clinic.doctor)
        let doctor = DemoParticipant(person: clinic.doctor, token: doctorToken, baseURL: base, output: output)
        var patients: [DemoAppointment.Plan: DemoParticipant] = [:]
        for appointment in clinic.appointments {
            patients[appointment.plan] = DemoParticipant(person: appointment.patient, token: try await token(appointment.patient),
                                                         baseURL: base, output: output)
        }
        let consultation = clinic.appointment(.consultation)
        let doctorChannels = clinic.appointments.filter { $0.plan != .cancelled }.map { "private-appointments.\($0.id)" }
        let browsers = try await progress.step("open the browsers: Laravel Echo subscribes through /broadcasting/auth") {
            let socketURL = "ws://127.0.0.1:\(port)"
            let doctorBrowser = try await DemoBrowser(person: clinic.doctor, token: doctorToken, channels: doctorChannels,
                                                      socketURL: socketURL, appKey: system.secrets.appKey, authURL: base + "/broadcasting/auth", output: output)
            progress.detail("\(clinic.doctor.name)'s browser: \(doctorChannels.joined(separator: ", "))")
            let patientBrowser = try await DemoBrowser(person: consultation.patient, token: patients[.consultation]!.token,
                                                       channels: ["private-appointments.\(consultation.id)"], socketURL: socketURL,
                                                       appKey: system.secrets.appKey, authURL: base + "/broadcasting/auth", output: output)
            progress.detail("\(consultation.patient.name)'s browser: private-appointments.\(consultation.id)")
            return (doctor: doctorBrowser, patient: patientBrowser)
        }
        let recordedCall = try await DemoScenario(clinic: clinic, doctor: doctor, patients: patients, progress: progress).run()
        try await progress.step("the recording service stores the file and calls the signed webhook; the patient downloads it") {
            try await announceAndDownload(recordings, consultation: consultation, callId: recordedCall, patient: patients[.consultation]!,
                                          baseURL: base)
        }
        let checks = DemoChecks(database: database, clinic: clinic)
        try await progress.step("wait out the ringing timeout, then the zombie reaper: callctl jobs reap") {
            try await Task.sleep(for: .seconds(Self.ringingTimeout) + .milliseconds(300))
            try await command(["jobs", "reap"])
            progress.detail(try checks.unansweredCallClosed())
        }
        try await progress.step("mark who never came: callctl jobs no-show") {
            try await command(["jobs", "no-show"])
            progress.detail(try checks.noShowMarked())
        }
        try await progress.step("every event written to the outbox reached the browsers") {
            progress.detail(try await checks.eventsDelivered(doctorChannels: doctorChannels, doctor: browsers.doctor,
                                                             patientChannel: "private-appointments.\(consultation.id)", patient: browsers.patient))
        }
        try await progress.step("the outbox is empty: callctl outbox status") {
            try await command(["outbox", "status"])
        }
        if let coturn = system.coturn {
            try await progress.step("prove the local TURN server relays: callctl probe turn") {
                try await command(["probe", "turn", "turn:127.0.0.1:\(coturn.port)?transport=udp", "--secret", system.secrets.turnSecret], database: false)
            }
        } else {
            progress.skip("prove the local TURN server relays: callctl probe turn", because: "turnserver is not installed (apt-get install coturn)")
        }
        if let coturn = system.coturn, !keep {
            try await progress.step("a TURN outage reaches the browser: callctl probe ice --record, coturn stopped, again") {
                let probe = ["probe", "ice", "--uri", "stun:127.0.0.1:\(coturn.port)", "--uri", "turn:127.0.0.1:\(coturn.port)?transport=udp",
                             "--secret", system.secrets.turnSecret, "--timeout", "2", "--record"]
                let patient = patients[.busy]!, appointment = clinic.appointment(.busy)
                try await command(probe)
                let before = try await patient.iceServers(appointment)
                coturn.stop()
                try await command(probe, expecting: ProbeStatus.critical.exitCode)
                let after = try await patient.iceServers(appointment)
                guard before.warning == nil, let warning = after.warning, warning.hasPrefix("relay unavailable") else {
                    throw DemoMismatch(description: "ice-servers warned \(before.warning ?? "nothing") with coturn up and "
                        + "\(after.warning ?? "nothing") with it stopped")
                }
                progress.detail("with coturn stopped the browser is told: \(warning)")
            }
        } else {
            progress.skip("a TURN outage reaches the browser: callctl probe ice --record, coturn stopped, again",
                          because: keep ? "--keep leaves coturn running, to practise playbooks/turn-down.md"
                                        : "turnserver is not installed (apt-get install coturn)")
        }
        try await progress.step("diagnose Echo against this daemon: callctl diagnose echo") {
            try await command([
                "diagnose", "echo", "--url", "ws://127.0.0.1:\(port)", "--app-id", system.secrets.appID, "--app-key", system.secrets.appKey,
                "--app-secret", system.secrets.appSecret, "--auth-url", base + "/broadcasting/auth", "--token", doctorToken,
                "--foreign-token", try await token(clinic.outsider), "--channel", "private-appointments.\(consultation.id)",
                "--presence-channel", "presence-tenant.\(clinic.tenantId).editing.appointment.\(consultation.id)",
            ], database: false)
        }
        try await progress.step("diagnose the PeerJS broker against this daemon: callctl diagnose peerjs") {
            try await command(["diagnose", "peerjs", "--url", "ws://127.0.0.1:\(port)", "--key", system.secrets.appKey,
                               "--app-secret", system.secrets.appSecret], database: false)
        }
        try await progress.step("the KPI report: callctl kpi") {
            let (from, to) = DemoChecks.kpiPeriod(now: Date())
            try await command(["kpi", "--from", from, "--to", to])
            progress.detail(try checks.kpiExpectation())
        }
        try await progress.step("retention: callctl jobs purge-recordings, as if 31 days had passed") {
            try await purgeRecordings(recordings, consultation: consultation, callId: recordedCall)
        }
        browsers.doctor.close()
        browsers.patient.close()
        if keep {
            try await keepRunning(port: port, tokens: [("DOCTOR_TOKEN", doctorToken), ("PATIENT_TOKEN", patients[.consultation]!.token)],
                                  consultation: consultation)
        } else {
            try await progress.step("stop the daemon (graceful: WebSockets closed with 4200), coturn and PostgreSQL") {
                try await system.stopDaemon()
                system.stop(keepDatabase: system.postgres == nil)
            }
        }
    }

    /// Runs a callctl subcommand in this process, as a user would type it (with
    /// `--database-url` appended when `database`); an exit other than `expecting` fails the step.
    func command(_ arguments: [String], database: Bool = true, expecting: Int32 = 0) async throws {
        let full = arguments + (database ? ["--database-url", system.databaseURL] : [])
        var parsed = try CallctlCommand.parseAsRoot(full)
        var status: Int32 = 0
        do {
            if var asynchronous = parsed as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try parsed.run()
            }
        } catch let exit as ExitCode {
            status = exit.rawValue
        }
        guard status == expecting else {
            throw DemoMismatch(description: "`callctl \(arguments.prefix(2).joined(separator: " "))` exited with \(status), not \(expecting)")
        }
    }

    /// `--keep`: nginx in front when it can, the connection file, how to use it, then serve until Ctrl-C.
    private func keepRunning(port: Int, tokens: [(String, String)], consultation: DemoAppointment) async throws {
        let nginxStep = "put nginx in front: TLS, the WebSocket upgrade and X-Forwarded-For as deploy/nginx/callctl.conf ships them"
        let proxy: ThrowawayNginx?
        if let nginxServerBlock, ThrowawayNginx.isInstalled {
            proxy = try await progress.step(nginxStep) {
                let nginx = try system.startNginx(configuration: try String(contentsOfFile: nginxServerBlock, encoding: .utf8),
                                                  upstreamPort: port)
                progress.detail("nginx on https://localhost:\(nginx.port) with \(nginxServerBlock), a self-signed certificate "
                                + "(\(nginx.certificatePath)), in \(nginx.directory)")
                return nginx
            }
        } else {
            progress.skip(nginxStep, because: ThrowawayNginx.isInstalled
                ? "no server block found (give --nginx-config deploy/nginx/callctl.conf)" : "nginx is not installed (apt-get install nginx openssl)")
            proxy = nil
        }
        let file = try await progress.step("keep the daemon and the database running") {
            try system.writeConnectionFile(port: port, tokens: tokens)
        }
        let practice = system.coturn.map { coturn in
            """
              callctl probe ice --env-file \(file)
            coturn runs as pid \(coturn.processID): `kill \(coturn.processID)` to practise playbooks/turn-down.md.
            """
        } ?? "coturn is not installed, so the TURN playbook cannot be practised (apt-get install coturn)."
        let tls = proxy.map { nginx in
            """
            Through nginx (TLS with the certificate in $CALLCTL_CA_FILE; the audit rows name your address):
              curl -s --cacert "$CALLCTL_CA_FILE" -H "Authorization: Bearer $DOCTOR_TOKEN" $CALLCTL_HTTPS_URL/appointments/\(consultation.id)/call
              callctl diagnose echo --env-file \(file) --url wss://localhost:\(nginx.port) --ca-file "$CALLCTL_CA_FILE" --token "$DOCTOR_TOKEN" --channel private-appointments.\(consultation.id)
              callctl smoke --env-file \(file) --url $CALLCTL_HTTPS_URL --ca-file "$CALLCTL_CA_FILE"
            """
        } ?? "nginx is not in front (see the step above), so only plain HTTP is there to try."
        output.line("""

        The daemon listens on http://127.0.0.1:\(port). The connection settings and two tokens are in
        \(file) (mode 600). Try:
          set -a; . \(file); set +a
          psql "$DATABASE_URL" -c 'SELECT id, status, started_at, ended_at FROM appointments ORDER BY id'
          curl -s -H "Authorization: Bearer $DOCTOR_TOKEN" $CALLCTL_URL/appointments/\(consultation.id)/call
          callctl diagnose echo --env-file \(file) --token "$DOCTOR_TOKEN" --channel private-appointments.\(consultation.id)
          callctl diagnose peerjs --env-file \(file) --url ws://127.0.0.1:\(port)
          callctl diagnose db --env-file \(file)
        \(practice)
        \(tls)
        Every playbook in playbooks/ works with --env-file \(file) in place of /etc/callctl/callctl.env.
        Press Ctrl-C to stop the daemon, coturn and nginx\(system.postgres == nil ? "" : " (the database keeps running)").
        """)
        let (stops, stop) = AsyncStream.makeStream(of: Void.self)
        system.onSignal { stop.yield() }
        for await _ in stops { break }
        try await system.stopDaemon()
        system.stop(keepDatabase: true)
        if let postgres = system.postgres {
            output.line("the daemon, coturn and nginx stopped; the database keeps running (and \(file) with it). Stop it with:")
            output.line("  \(postgres.stopCommand)")
        }
    }
}
