import Foundation
import HTTPClient
import HummingbirdWSClient
import PusherProtocol

/// The checks of `diagnose peerjs`, in the order they run.
public enum PeerJSCheckName: String, DiagnosisCheckName {
    /// `GET {path}` answers with the server's description.
    case info
    /// The server answers the first peer's WebSocket upgrade with 101.
    case websocketUpgrade = "websocket_upgrade"
    /// The first peer gets OPEN.
    case open
    /// The second peer gets OPEN too.
    case secondPeer = "second_peer"
    /// An OFFER from the first peer reaches the second with the right `src`, and its ANSWER comes back.
    case relay
    /// A peer id nobody issued is refused (a broker bound to calls; a stock PeerServer admits it).
    case refusesUnbound = "refuses_unbound"
}

/// Finds why "nobody connects" on the PeerJS side: connects two peers to a PeerServer as the
/// PeerJS client does, relays an offer and an answer between them, and checks that an id nobody
/// issued is refused. Against callctl's broker the two peers are a diagnostic pair minted with
/// the app's secret; against a stock `peerjs-server` any ids pass, and the last check says that
/// anyone who learns a peer id can signal to it. Stops at the first broken layer.
public struct PeerJSDiagnosis: Sendable {
    /// What is diagnosed.
    public let target: PeerJSTarget

    /// A diagnosis of `target`.
    public init(target: PeerJSTarget) {
        self.target = target
    }

    private var deadline: ContinuousClock.Instant { .now + target.timeout }

    /// Runs the checks.
    public func run() async -> DiagnosisReport<PeerJSCheckName> {
        var recorder = CheckRecorder<PeerJSCheckName>()
        await runLayers(&recorder)
        return recorder.report(redacting: target.secrets)
    }

    private func runLayers(_ recorder: inout CheckRecorder<PeerJSCheckName>) async {
        guard await recorder.run(.info, { await info() }) != nil else { return }
        let first = PusherSocket(url: target.socketURL(target.first), caFile: target.caFile, frames: .raw)
        defer { first.close() }
        guard await recorder.run(.websocketUpgrade, { await upgraded(first) }) != nil,
              await recorder.run(.open, { await opened(first, as: "the first peer") }) != nil else { return }
        let second = PusherSocket(url: target.socketURL(target.second), caFile: target.caFile, frames: .raw)
        defer { second.close() }
        guard await recorder.run(.secondPeer, { () async -> Finding<Void> in
                  guard await upgraded(second).value != nil else { return .fail("the second peer's upgrade failed", verdict: "the server took one peer but not a second: check its concurrent limit and log") }
                  return await opened(second, as: "the second peer")
              }) != nil,
              await recorder.run(.relay, { await relay(first, second) }) != nil else { return }
        await recorder.run(.refusesUnbound) { await refusesUnbound() }
    }

    private func info() async -> Finding<Void> {
        let request = HTTPRequest(url: target.infoURL, timeout: target.timeout, caFile: target.caFile)
        switch await HTTPClient.result(of: request) {
        case .success(let response) where response.status == 200:
            let name = (PusherJSON(parsing: response.body)?["name"]?.stringValue).map { "\"\($0.prefix(60))\"" } ?? "a body without a name"
            return .pass("GET \(target.path): 200, \(name)", ())
        case .success(let response):
            return .fail("GET \(target.infoURL) answered \(response.status)",
                         verdict: "nothing serves PeerJS at \(target.path) on \(target.hostPort): check --path (callctl serve --peerjs-path, "
                                + "default /peerjs) and that the proxy routes it (deploy/nginx/callctl.conf has location /peerjs)")
        case .failure(let error):
            return .fail("GET \(target.infoURL) failed: \(error)",
                         verdict: "the PeerServer at \(target.hostPort) is unreachable: check --url, that the daemon runs, and the firewall")
        }
    }

    private func upgraded(_ socket: PusherSocket) async -> Finding<Void> {
        switch await socket.next(by: deadline) {
        case .upgraded?:
            return .pass("101 Switching Protocols from \(target.hostPort)\(target.path)/peerjs", ())
        case nil:
            return .fail("no answer to the upgrade within \(Timing.text(target.timeout))",
                         verdict: "a proxy holds the upgrade (it must pass Upgrade and Connection for \(target.path)) or the server is stuck")
        case .failed(let error)? where (error as? WebSocketClientError) == .webSocketUpgradeFailed:
            return .fail("the upgrade to \(target.path)/peerjs was refused",
                         verdict: "the server does not take WebSockets at \(target.path)/peerjs: check --path and the proxy's location for it")
        case .failed(let error)?:
            return .fail("the WebSocket connection failed: \(error)", verdict: "check --url and the server's log")
        case let other?:
            return .fail("unexpected \(other) before the upgrade", verdict: "the server at \(target.hostPort) is not a WebSocket server")
        }
    }

    private func opened(_ socket: PusherSocket, as who: String) async -> Finding<Void> {
        let frame = await nextFrame(socket)
        switch frame {
        case .message(let type, _, _) where type == "OPEN":
            return .pass("\(who) got OPEN", ())
        case .message(let type, let message, _) where type == "ERROR" || type == "ID-TAKEN":
            return .fail("\(who) got \(type): \(message ?? "-")", verdict: Self.refusalVerdict(message ?? type, minted: target.minted))
        case .message(let type, _, let text):
            return .fail("\(who) got \(type) instead of OPEN: \(text.prefix(80))", verdict: "the server is not a PeerServer: check --url and --path")
        case .problem(let detail, let verdict):
            return .fail("\(who): \(detail)", verdict: verdict)
        }
    }

    private func relay(_ first: PusherSocket, _ second: PusherSocket) async -> Finding<Void> {
        let nonce = UUID().uuidString.lowercased()
        let started = ContinuousClock.now
        let payload: PusherJSON = .object(["type": .string("data"), "connectionId": .string("dc_diagnose"),
                                           "sdp": .object(["type": .string("offer"), "sdp": .string("v=0 callctl diagnose \(nonce)")])])
        first.send(text: Self.message("OFFER", dst: target.second.id, payload: payload))
        let offer = await nextFrame(second, skipping: ["HEARTBEAT"])
        guard case .message(let type, _, let text) = offer, type == "OFFER", let json = PusherJSON(parsing: Array(text.utf8)),
              json["src"]?.stringValue == target.first.id, text.contains(nonce) else {
            return .fail("the second peer did not get the first peer's OFFER: \(Self.describe(offer))",
                         verdict: Self.relayVerdict(offer))
        }
        second.send(text: Self.message("ANSWER", dst: target.first.id, payload: .object(["type": .string("data"), "connectionId": .string("dc_diagnose")])))
        let answer = await nextFrame(first, skipping: ["HEARTBEAT"])
        guard case .message(let answerType, _, let answerText) = answer, answerType == "ANSWER",
              PusherJSON(parsing: Array(answerText.utf8))?["src"]?.stringValue == target.second.id else {
            return .fail("the first peer did not get the ANSWER: \(Self.describe(answer))", verdict: Self.relayVerdict(answer))
        }
        return .pass("OFFER and ANSWER relayed with src set, round trip \(Timing.text(ContinuousClock.now - started))", ())
    }

    private func refusesUnbound() async -> Finding<Void> {
        let socket = PusherSocket(url: target.socketURL(target.unbound), caFile: target.caFile, frames: .raw)
        defer { socket.close() }
        guard case .upgraded? = await socket.next(by: deadline) else {
            return .pass("an id nobody issued could not even upgrade", ())
        }
        switch await nextFrame(socket) {
        case .message(let type, let message, _) where type == "ERROR":
            return .pass("an id nobody issued got ERROR: \(message ?? "-")", ())
        case .message(let type, _, _) where type == "OPEN":
            return .fail("an id nobody issued (\(target.unbound.id)) got OPEN",
                         verdict: "this PeerServer admits any id: anyone who learns a peer id can signal to it, and signaling "
                                + "happens without an appointment (the stock peerjs-server and the PeerJS cloud behave so). "
                                + "Serve the browsers from callctl's broker: path /peerjs of callctl serve, ids from POST /appointments/{id}/call/peer",
                         security: true)
        case let other:
            return .fail("an id nobody issued got \(Self.describe(other))", verdict: "expected ERROR for an id callctl did not issue: check the server's log")
        }
    }

    /// A frame as the checks read it.
    private enum Frame {
        /// A PeerJS message: its type, ERROR's `payload.msg`, the whole text.
        case message(type: String, message: String?, text: String)
        case problem(detail: String, verdict: String)
    }

    private func nextFrame(_ socket: PusherSocket, skipping: Set<String> = []) async -> Frame {
        let until = deadline
        while true {
            switch await socket.next(by: until) {
            case .text(let text)?:
                guard let json = PusherJSON(parsing: Array(text.utf8)), let type = json["type"]?.stringValue else {
                    return .problem(detail: "a frame that is not a PeerJS message: \(text.prefix(80))",
                                    verdict: "the server is not a PeerServer: check --url and --path")
                }
                if skipping.contains(type) { continue }
                return .message(type: type, message: json["payload"]?["msg"]?.stringValue, text: text)
            case nil:
                return .problem(detail: "nothing within \(Timing.text(target.timeout))",
                                verdict: "the server took the WebSocket but sent nothing: not a PeerServer, or a proxy buffering (proxy_buffering off)")
            case .closed(let code, let reason)?:
                return .problem(detail: "the server closed the WebSocket (\(SocketChecks.closeText(code, reason)))",
                                verdict: "the server dropped the peer: check its log around now")
            case .failed(let error)?:
                return .problem(detail: "the WebSocket failed: \(error)", verdict: "the connection broke: check the server's and any proxy's log")
            case .upgraded?, .message?, .foreign?:
                continue
            }
        }
    }

    private static func message(_ type: String, dst: String, payload: PusherJSON) -> String {
        PusherJSON.object(["type": .string(type), "dst": .string(dst), "payload": payload]).jsonString
    }

    private static func describe(_ frame: Frame) -> String {
        switch frame {
        case .message(let type, let message, _): message.map { "\(type) (\($0))" } ?? type
        case .problem(let detail, _): detail
        }
    }

    private static func relayVerdict(_ frame: Frame) -> String {
        switch frame {
        case .message(let type, let message, _) where type == "ERROR":
            "the broker refused the relay (\(message ?? "-")): with callctl, run diagnose peerjs with the daemon's own app secret"
        case .message(let type, _, _) where type == "EXPIRE":
            "the broker could not reach the second peer: with several daemons, check that each one runs the broker's listener "
                + "(callctl_broker) on the same database"
        case .problem(_, let verdict): verdict
        case .message: "the server answered something else than the relayed message: check its log"
        }
    }

    /// What to do about an ERROR the server sent when a peer connected.
    static func refusalVerdict(_ message: String, minted: Bool) -> String {
        switch message {
        case "Invalid key provided":
            return "the server does not host --key: pass the app key the daemon serves (REVERB_APP_KEY), the PeerJS key option"
        case _ where message.contains("not issued by callctl") || message.contains("Invalid token"):
            return minted
                ? "the broker refused the diagnostic peers: --app-secret is not the daemon's (REVERB_APP_SECRET of its env file)"
                : "this is callctl's broker, which admits only ids it issued: pass --app-secret (or --env-file with REVERB_APP_SECRET) so diagnose can mint a diagnostic pair"
        case _ where message.contains("concurrent user limit"):
            return "the daemon is at --peerjs-max-peers: raise it or add a daemon"
        default:
            return "the server refused the peer: \(message.prefix(120))"
        }
    }
}
