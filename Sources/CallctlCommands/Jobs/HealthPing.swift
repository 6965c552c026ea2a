import ArgumentParser
import Foundation
import HTTPClient
import Logging

/// Healthchecks-style pings around a job run: `URL/start` before, `URL` on success and
/// `URL/fail` on failure, each a POST whose body is a one-line summary. A ping that fails is
/// logged and never fails the job. The URL's path usually holds the check's secret, so logs
/// name only its scheme and host.
struct HealthPing: Sendable {
    /// What a ping announces.
    enum Signal: String, Sendable {
        case start, success, failure

        var suffix: String {
            switch self {
            case .start: "/start"
            case .success: ""
            case .failure: "/fail"
            }
        }
    }

    let url: String
    let logger: Logger

    /// Refuses anything but an absolute http(s) URL with a host.
    static func validate(_ url: String) throws {
        guard let components = URLComponents(string: url), ["http", "https"].contains(components.scheme?.lowercased() ?? ""),
              components.host?.isEmpty == false else {
            throw ValidationError("--ping-url must be an http:// or https:// URL with a host, such as https://hc-ping.com/<uuid>")
        }
    }

    /// Sends one ping off the cooperative pool (libcurl blocks), waiting at most 10 seconds.
    func send(_ signal: Signal, message: String) async {
        let target = Self.target(url, signal)
        let request = HTTPRequest(method: "POST", url: target, headers: [("Content-Type", "text/plain; charset=utf-8")],
                                  body: Data(message.utf8), timeout: .seconds(10))
        let result = await HTTPClient.result(of: request)
        let host = Self.shownHost(url)
        switch result {
        case .success(let response) where (200..<300).contains(response.status):
            logger.debug("health ping sent", metadata: ["signal": "\(signal.rawValue)", "to": "\(host)", "status": "\(response.status)"])
        case .success(let response):
            logger.warning("health ping was refused; the job goes on",
                           metadata: ["signal": "\(signal.rawValue)", "to": "\(host)", "status": "\(response.status)"])
        case .failure(let error):
            let reason = error.description.replacingOccurrences(of: HTTPClient.redactedURL(target), with: host)
            logger.warning("health ping failed; the job goes on", metadata: ["signal": "\(signal.rawValue)", "error": "\(reason)"])
        }
    }

    /// The URL with the signal's suffix appended to its path (before any query string).
    static func target(_ url: String, _ signal: Signal) -> String {
        guard var components = URLComponents(string: url) else { return url }
        var path = components.path
        while path.hasSuffix("/") { path.removeLast() }
        components.path = path + signal.suffix
        return components.string ?? url
    }

    /// `scheme://host[:port]`, the part of the URL safe to log.
    static func shownHost(_ url: String) -> String {
        guard let components = URLComponents(string: url), let scheme = components.scheme, let host = components.host else {
            return "the ping URL"
        }
        return "\(scheme)://\(host)" + (components.port.map { ":\($0)" } ?? "")
    }
}
