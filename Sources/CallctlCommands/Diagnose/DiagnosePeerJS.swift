import ArgumentParser
import CallDomain
import CallctlConfig
import Diagnostics
import Foundation
import PusherProtocol

/// `callctl diagnose peerjs`: whether the browsers' PeerServer works and is bound to calls.
struct DiagnosePeerJS: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "peerjs",
        abstract: "Check the PeerJS broker (or any PeerServer): upgrade, OPEN, a relay between two peers, refusal of an unbound id.",
        discussion: """
        Connects two peers as the PeerJS client does and checks, in order: info (GET PATH \
        answers), websocket_upgrade (PATH/peerjs answers 101), open (the first peer gets \
        OPEN), second_peer, relay (an OFFER reaches the second peer with src set, its ANSWER \
        comes back; the round trip) and refuses_unbound (an id nobody issued gets ERROR). It \
        stops at the first broken layer; an unbound id admitted is a SECURITY failure: the \
        server lets anyone signal to any peer id (the stock peerjs-server and the PeerJS cloud \
        do).

        Against callctl's broker the two peers are a diagnostic pair minted with the app's \
        secret (ids diag-…-a and diag-…-b, valid two minutes, able to signal only to each \
        other; no appointment, no audit row). Without a secret the peers get random ids, \
        which only a server that admits any id lets in.

        Without a flag, its value comes from the environment or --env-file (the service's \
        /etc/callctl/callctl.env, or the Laravel .env): REVERB_APP_KEY and REVERB_APP_SECRET; \
        REVERB_SCHEME, REVERB_HOST and REVERB_PORT make --url. The secret and the tokens are \
        never printed.

        Exit codes: 0 every check passed, 1 a check failed, 2 the diagnosis could not run.

        Examples:
          callctl diagnose peerjs --env-file /etc/callctl/callctl.env --url ws://127.0.0.1:8080
          callctl diagnose peerjs --env-file /var/www/app/.env
          callctl diagnose peerjs --url wss://calls.clinic.example --path /peerjs --key "$KEY" --app-secret "$SECRET" --format json
          callctl diagnose peerjs --url ws://127.0.0.1:9000 --path /myapp --key peerjs --no-secret   # a stock peerjs-server
        """
    )

    @Option(help: ArgumentHelp("The PeerServer: ws://host:port or wss://host:port (default: REVERB_SCHEME/HOST/PORT).", valueName: "url"))
    var url: String?

    @Option(help: ArgumentHelp("The PeerJS path option (callctl serve --peerjs-path).", valueName: "path"))
    var path = "/peerjs"

    @Option(help: ArgumentHelp("The PeerJS key option (callctl: the app key; default: REVERB_APP_KEY).", valueName: "key"))
    var key: String?

    @Option(name: .customLong("app-secret"), help: ArgumentHelp(
        "The app secret the broker checks tokens with (default: REVERB_APP_SECRET); never printed.", valueName: "secret"))
    var appSecret: String?

    @Flag(name: .customLong("no-secret"), help: "Use random peer ids and tokens (a PeerServer that admits any id, e.g. the stock one).")
    var noSecret = false

    @Option(help: ArgumentHelp("Result format: text, json or junit (JUnit XML, one test case per check).", valueName: "format"))
    var format: String = "text"

    @Option(help: ArgumentHelp("Time limit of each check, in seconds.", valueName: "seconds"))
    var timeout: String = "5"

    @Option(name: .customLong("ca-file"), help: ArgumentHelp(
        "Also trust the PEM certificates in this file for wss:// and https://.", valueName: "path"))
    var caFile: String?

    @OptionGroup var envFile: EnvFileOptions

    func validate() throws {
        guard DiagnoseFormat(rawValue: format) != nil else {
            throw DiagnoseUsage.fail("--format must be text, json or junit; got '\(format)'")
        }
        guard DiagnoseEcho.duration(timeout) != nil else {
            throw DiagnoseUsage.fail("--timeout takes seconds from 0.1 to 60; got '\(timeout)'")
        }
        if noSecret, appSecret != nil { throw DiagnoseUsage.fail("--no-secret and --app-secret exclude each other") }
    }

    func run(in context: CommandContext) async throws {
        let target: PeerJSTarget
        do {
            target = try settings(context.variables)
        } catch {
            throw DiagnoseUsage.fail("\(error)", errorOutput: context.errorOutput)
        }
        let report = await PeerJSDiagnosis(target: target).run()
        let renderer = DiagnoseRenderer(format: DiagnoseFormat(rawValue: format) ?? .text, output: context.output)
        try renderer.render(report, title: "diagnose peerjs \(target.secure ? "wss" : "ws")://\(target.hostPort)\(target.path)",
                            classname: "diagnose.peerjs")
        if report.status == .fail { throw ExitCode(1) }
    }

    /// The flags, completed from the environment (`process`) and the `.env` file.
    private func settings(_ process: [String: String]) throws -> PeerJSTarget {
        let environment = try envFile.environment(process)
        guard let key = key ?? environment["REVERB_APP_KEY"] else {
            throw EchoTargetError("give --key or set REVERB_APP_KEY (in the environment or the --env-file)")
        }
        let secret = noSecret ? nil : appSecret ?? environment["REVERB_APP_SECRET"]
        if !noSecret, secret?.isEmpty != false {
            throw EchoTargetError("give --app-secret or set REVERB_APP_SECRET, so diagnose can mint peers callctl's broker admits "
                                  + "(or --no-secret for a PeerServer that admits any id)")
        }
        let (first, second, unbound) = Self.peers(key: key, secret: secret)
        return try PeerJSTarget(url: try url ?? DiagnoseEcho.socketURL(environment), path: path, key: key, first: first, second: second,
                                unbound: unbound, minted: secret != nil, timeout: DiagnoseEcho.duration(timeout) ?? .seconds(5),
                                caFile: try caFile.map(DiagnoseEcho.readableCAFile))
    }

    /// The diagnostic pair (minted with `secret`, valid two minutes) or two random peers, and a
    /// random id nobody issued.
    static func peers(key: String, secret: String?) -> (PeerJSTarget.Peer, PeerJSTarget.Peer, PeerJSTarget.Peer) {
        func random() -> [UInt8] { (0..<16).map { _ in UInt8.random(in: .min ... .max) } }
        let unbound = PeerJSTarget.Peer(id: BrokerPeer.newId(randomBytes: random()), token: BrokerPeer.newId(randomBytes: random()))
        guard let secret else {
            return (PeerJSTarget.Peer(id: BrokerPeer.newId(randomBytes: random()), token: "diagnose"),
                    PeerJSTarget.Peer(id: BrokerPeer.newId(randomBytes: random()), token: "diagnose"), unbound)
        }
        let (a, b) = BrokerPeer.diagnosticPair(randomBytes: random())
        let app = PusherApp(id: "", key: key, secret: secret)
        let expiry = Date().addingTimeInterval(120)
        func minted(_ id: String) -> PeerJSTarget.Peer {
            let peer = BrokerPeer.diagnostic(id)!
            return PeerJSTarget.Peer(id: id, token: PeerToken.make(for: PeerToken.Binding(peerId: id, userId: peer.userId, appointmentId: 0,
                                                                                         callId: peer.callId), expiry: expiry, app: app))
        }
        return (minted(a), minted(b), unbound)
    }
}
