import ArgumentParser
import CallctlConfig
import Diagnostics
import Foundation
import PusherProtocol

/// `callctl diagnose echo`: why Laravel Echo receives no events.
struct DiagnoseEcho: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "echo",
        abstract: "Find why Laravel Echo receives no events: keys, TLS, WebSocket, channel auth, isolation, delivery.",
        discussion: """
        Connects like a browser running Laravel Echo and checks, in order: dns, tcp, tls \
        (wss only: handshake and certificate expiry, a warning under 14 days), \
        websocket_upgrade (101), connection_established, app_key, auth_endpoint (the token \
        at --auth-url, with curl's DNS/connect/TLS/first-byte timings), auth_signature (it \
        verifies with --app-secret), subscription, event_delivery (an event triggered \
        through the Pusher HTTP API arrives; its latency), then refuses_no_token, \
        refuses_other_user (private-users.{another id}), refuses_other_tenant \
        (--foreign-token) and presence (--presence-channel). It stops at the first broken \
        layer; a signature granted where a refusal is due is a SECURITY failure.

        Without a flag, its value comes from the Laravel .env given with --env-file (the \
        real environment wins): REVERB_APP_ID, REVERB_APP_KEY, REVERB_APP_SECRET; \
        REVERB_SCHEME, REVERB_HOST and REVERB_PORT make --url; APP_URL + \
        /broadcasting/auth makes --auth-url. The secret and the tokens are never printed.

        With CALLCTL_PUSHER_URL (the external Pusher/Reverb server `callctl serve` also \
        publishes the outbox to; from the environment or --env-file, e.g. the service's \
        /etc/callctl/callctl.env), external_server checks that server answers a signed GET \
        /apps/{id}/channels. It runs whatever the other checks found; its secret is never \
        printed.

        Exit codes: 0 every check passed (warnings included), 1 a check failed, 2 the \
        diagnosis could not run (a bad or missing flag, an unreadable --env-file).

        Examples:
          callctl diagnose echo --env-file /var/www/app/.env --token "$T" --channel private-appointments.42
          CALLCTL_PUSHER_URL=https://KEY:SECRET@reverb.example.org/apps/1 callctl diagnose echo --env-file .env --token "$T" --channel private-users.7
          callctl diagnose echo --env-file .env --token "$T" --foreign-token "$T2" --channel private-users.7
          callctl diagnose echo --env-file .env --token "$T" --channel private-users.7 --presence-channel presence-tenant.3.editing.appointment.42
          callctl diagnose echo --url wss://ws.example.org --app-id 1 --app-key k --app-secret "$S" --auth-url https://app.example.org/broadcasting/auth --token "$T" --channel private-users.7
          callctl diagnose echo --env-file .env --token "$T" --channel private-users.7 --format junit > echo.xml
        """
    )

    @Option(help: ArgumentHelp("The WebSocket server: ws://host:port or wss://host:port (default: REVERB_SCHEME/HOST/PORT).", valueName: "url"))
    var url: String?

    @Option(name: .customLong("app-id"), help: ArgumentHelp("The Pusher app id (default: REVERB_APP_ID).", valueName: "id"))
    var appID: String?

    @Option(name: .customLong("app-key"), help: ArgumentHelp("The Pusher app key (default: REVERB_APP_KEY).", valueName: "key"))
    var appKey: String?

    @Option(name: .customLong("app-secret"), help: ArgumentHelp("The Pusher app secret (default: REVERB_APP_SECRET); never printed.", valueName: "secret"))
    var appSecret: String?

    @Option(name: .customLong("auth-url"), help: ArgumentHelp("The app's channel-auth URL (default: APP_URL/broadcasting/auth).", valueName: "url"))
    var authURL: String?

    @Option(help: ArgumentHelp("A bearer token of a user who may subscribe to --channel; never printed.", valueName: "token"))
    var token: String?

    @Option(name: .customLong("foreign-token"), help: ArgumentHelp(
        "A token of a user of another tenant: --channel must be refused to it (else skipped).", valueName: "token"))
    var foreignToken: String?

    @Option(help: ArgumentHelp("A private or presence channel the token's user may subscribe to, e.g. private-appointments.42.", valueName: "name"))
    var channel: String?

    @Option(name: .customLong("presence-channel"), help: ArgumentHelp(
        "A presence channel the token's user may join, to check that members are listed (else skipped).", valueName: "name"))
    var presenceChannel: String?

    @Option(help: ArgumentHelp("Result format: text, json or junit (JUnit XML, one test case per check).", valueName: "format"))
    var format: String = "text"

    @Option(help: ArgumentHelp("Time limit of each check, in seconds.", valueName: "seconds"))
    var timeout: String = "5"

    @Option(name: .customLong("ca-file"), help: ArgumentHelp(
        "Also trust the PEM certificates in this file for wss:// and https:// (a private CA, or a proxy's self-signed certificate).",
        valueName: "path"))
    var caFile: String?

    @OptionGroup var envFile: EnvFileOptions

    func validate() throws {
        guard DiagnoseFormat(rawValue: format) != nil else {
            throw DiagnoseUsage.fail("--format must be text, json or junit; got '\(format)'")
        }
        guard Self.duration(timeout) != nil else {
            throw DiagnoseUsage.fail("--timeout takes seconds from 0.1 to 60; got '\(timeout)'")
        }
    }

    func run(in context: CommandContext) async throws {
        let target: EchoTarget
        do {
            target = try settings(context.variables)
        } catch {
            throw DiagnoseUsage.fail("\(error)", errorOutput: context.errorOutput)
        }
        let report = await EchoDiagnosis(target: target).run()
        let renderer = DiagnoseRenderer(format: DiagnoseFormat(rawValue: format) ?? .text, output: context.output)
        try renderer.render(report, title: "diagnose echo \(target.secure ? "wss" : "ws")://\(target.hostPort) \(target.channel)")
        if report.status == .fail { throw ExitCode(1) }
    }

    /// `--timeout`'s seconds (0.1–60) as a duration; nil when out of range or not a number.
    static func duration(_ text: String) -> Duration? {
        guard let seconds = Double(text.trimmingCharacters(in: .whitespaces)), seconds.isFinite, (0.1...60).contains(seconds) else {
            return nil
        }
        return .milliseconds(Int64(seconds * 1000))
    }

    /// The flags, completed from the environment (`process`) and the `.env` file.
    private func settings(_ process: [String: String]) throws -> EchoTarget {
        let environment = try envFile.environment(process)
        func value(_ flag: String?, _ name: String, _ variable: String) throws(EchoTargetError) -> String {
            guard let found = flag ?? environment[variable] else {
                throw EchoTargetError("give \(name) or set \(variable) (in the environment or the --env-file)")
            }
            return found
        }
        guard let token else { throw EchoTargetError("give --token: a bearer token of a user who may subscribe to --channel") }
        guard let channel else { throw EchoTargetError("give --channel: a channel the token's user may subscribe to, e.g. private-appointments.42") }
        let app = PusherApp(id: try value(appID, "--app-id", "REVERB_APP_ID"), key: try value(appKey, "--app-key", "REVERB_APP_KEY"),
                            secret: try value(appSecret, "--app-secret", "REVERB_APP_SECRET"))
        return try EchoTarget(url: try url ?? Self.socketURL(environment), app: app,
                              authURL: try authURL ?? Self.authURL(environment), token: token, foreignToken: foreignToken,
                              channel: channel, presenceChannel: presenceChannel, timeout: Self.duration(timeout) ?? .seconds(5),
                              external: try ServeSettings.externalTarget(environment).map {
                                  ExternalPusherServer(origin: $0.origin, app: $0.app)
                              }, caFile: try caFile.map(Self.readableCAFile))
    }

    /// `--ca-file`, when it names a readable file.
    static func readableCAFile(_ path: String) throws(EchoTargetError) -> String {
        guard FileManager.default.isReadableFile(atPath: path) else { throw EchoTargetError("--ca-file \(path) is not a readable file") }
        return path
    }

    /// `REVERB_SCHEME` (http → ws, https → wss; default https), `REVERB_HOST`, `REVERB_PORT`.
    static func socketURL(_ environment: Environment) throws(EchoTargetError) -> String {
        guard let host = environment["REVERB_HOST"] else {
            throw EchoTargetError("give --url or set REVERB_HOST (with REVERB_PORT and REVERB_SCHEME) in the environment or the --env-file")
        }
        let secure = (environment["REVERB_SCHEME"] ?? "https").lowercased() == "https"
        let port = environment["REVERB_PORT"] ?? (secure ? "443" : "80")
        return "\(secure ? "wss" : "ws")://\(host.contains(":") ? "[\(host)]" : host):\(port)"
    }

    /// `APP_URL` + `/broadcasting/auth`.
    static func authURL(_ environment: Environment) throws(EchoTargetError) -> String {
        guard let app = environment["APP_URL"] else {
            throw EchoTargetError("give --auth-url or set APP_URL in the environment or the --env-file")
        }
        return app.hasSuffix("/") ? app + "broadcasting/auth" : app + "/broadcasting/auth"
    }
}
