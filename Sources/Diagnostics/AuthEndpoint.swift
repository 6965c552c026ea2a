import Foundation
import HTTPClient

/// One answer of the app's `/broadcasting/auth`.
enum AuthAnswer: Sendable {
    /// 2xx with an `auth` value (and `channel_data` for presence channels).
    case granted(auth: String, channelData: String?, status: Int, timings: HTTPTimings)
    /// 4xx/5xx; `reason` is the body's `reason`/`error`/`message`.
    case refused(status: Int, reason: String, timings: HTTPTimings)
    /// Any other answer (a redirect, a 200 without `auth`); `body` is its start.
    case unexpected(status: Int, body: String)
    /// No HTTP answer: curl's error.
    case unreachable(String)
}

/// Asks the app's auth endpoint for channel signatures, as pusher-js does (a form body with
/// `socket_id` and `channel_name`, the bearer token in `Authorization`).
struct AuthEndpoint: Sendable {
    /// The app's `/broadcasting/auth` URL.
    let url: String
    /// The time limit of one request.
    let timeout: Duration
    /// Certificates to trust besides the system's.
    let caFile: String?

    /// The endpoint at `url`.
    init(url: String, timeout: Duration, caFile: String? = nil) {
        self.url = url
        self.timeout = timeout
        self.caFile = caFile
    }

    /// The endpoint the diagnosis checks.
    init(target: EchoTarget) {
        self.init(url: target.authURL, timeout: target.timeout, caFile: target.caFile)
    }

    /// `POST --auth-url` for `channel` and `socketID`, with `token` when given.
    func ask(channel: String, socketID: String, token: String?) async -> AuthAnswer {
        var headers = [("Accept", "application/json"), ("Content-Type", "application/x-www-form-urlencoded"),
                       ("X-Requested-With", "XMLHttpRequest")]
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        let body = "socket_id=\(EchoTarget.escaped(socketID))&channel_name=\(EchoTarget.escaped(channel))"
        let request = HTTPRequest(method: "POST", url: url, headers: headers, body: Data(body.utf8), timeout: timeout, caFile: caFile)
        let result = await HTTPClient.result(of: request)
        let response: HTTPResponse
        switch result {
        case .failure(let error): return .unreachable(error.description)
        case .success(let answer): response = answer
        }
        let json = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any]
        if (200..<300).contains(response.status), let auth = json?["auth"] as? String {
            return .granted(auth: auth, channelData: json?["channel_data"] as? String, status: response.status, timings: response.timings)
        }
        if response.status >= 400 {
            let reason = [json?["reason"], json?["error"] ?? json?["message"]].compactMap { $0 as? String }.filter { !$0.isEmpty }
            return .refused(status: response.status, reason: reason.isEmpty ? Self.start(response.body) : reason.joined(separator: ": "),
                            timings: response.timings)
        }
        let location = response.headers["location"].map { " to \(HTTPClient.redactedURL($0))" } ?? ""
        return .unexpected(status: response.status, body: location.isEmpty ? Self.start(response.body) : "redirect\(location)")
    }

    /// `200 in 12 ms (dns 0.1 ms, connect 0.3 ms, tls 2.1 ms, first byte 11 ms)`; `no tls` for plain HTTP.
    static func timingText(_ status: Int, _ timings: HTTPTimings) -> String {
        let tls = timings.tls == .zero ? "no tls" : "tls \(Timing.text(timings.tls))"
        return "\(status) in \(Timing.text(timings.total)) (dns \(Timing.text(timings.dns)), connect \(Timing.text(timings.connect)), "
            + "\(tls), first byte \(Timing.text(timings.firstByte)))"
    }

    /// The first line of a body, shortened, for messages.
    static func start(_ body: Data) -> String {
        let text = String(decoding: body.prefix(240), as: UTF8.self)
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        return line.isEmpty ? "an empty body" : String(line.prefix(120))
    }

    /// The `sub` claim of a JWT (read, not verified): the token's user id, when numeric.
    static func subject(ofToken token: String) -> Int64? {
        let parts = token.split(separator: ".")
        guard parts.count == 3 else { return nil }
        var base64 = parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64),
              let claims = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { return nil }
        switch claims["sub"] {
        case let number as Int: return Int64(number)
        case let text as String: return Int64(text)
        default: return nil
        }
    }
}
