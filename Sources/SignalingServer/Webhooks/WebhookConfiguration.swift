import CallStore
import Foundation
import PusherProtocol

/// An invalid webhook variable; the description names the variable, the expected form and
/// the problem (never a URL's query).
public struct WebhookConfigurationError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What is wrong and how to write it instead.
    public let description: String
}

extension WebhookSettings {
    /// The variable listing the URLs.
    public static let urlsVariable = "CALLCTL_WEBHOOK_URLS"
    /// The variable bounding each URL's backlog.
    public static let maximumPendingVariable = "CALLCTL_WEBHOOK_MAX_PENDING"
    /// The accepted form, for messages and help.
    public static let form = "URL or KINDS=URL, comma-separated; KINDS joins with + any of "
        + WebhookEventKind.allCases.map(\.rawValue).joined(separator: ", ") + " and app:APP_ID"
    /// The most URLs.
    public static let maximumURLs = 10
    /// The accepted backlog bounds.
    public static let pendingRange = 100...1_000_000

    /// Parses `CALLCTL_WEBHOOK_URLS` (`urls`) and `CALLCTL_WEBHOOK_MAX_PENDING` (`maximumPending`)
    /// for the hosted `apps`; nil when `urls` is nil (no webhooks).
    ///
    /// `https://app.example/pusher/webhook` receives every kind of every app;
    /// `channel_occupied+channel_vacated=https://a.example/hook` only those kinds;
    /// `client_event+app:2=https://b.example/hook` only app 2's client events.
    public static func parse(urls: String?, maximumPending: String?, apps: PusherApps) throws(WebhookConfigurationError) -> WebhookSettings? {
        guard let urls else { return nil }
        func invalid(_ problem: String) -> WebhookConfigurationError {
            WebhookConfigurationError(description: "\(urlsVariable) must list \(form): \(problem)")
        }
        var routes: [WebhookRoute] = []
        for (index, raw) in urls.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
            let entry = raw.trimmingCharacters(in: .whitespaces)
            guard !entry.isEmpty else { throw invalid("entry \(index + 1) is empty; remove the extra comma") }
            let lower = entry.lowercased()
            var selectors: [Substring] = []
            var url = entry
            if !(lower.hasPrefix("http://") || lower.hasPrefix("https://")) {
                guard let equals = entry.firstIndex(of: "=") else {
                    throw invalid("entry \(index + 1) is neither an http(s) URL nor KINDS=URL")
                }
                selectors = entry[..<equals].split(separator: "+", omittingEmptySubsequences: false)
                url = String(entry[entry.index(after: equals)...])
            }
            var kinds: Set<WebhookEventKind> = []
            var appIDs: Set<String> = []
            for selector in selectors {
                if selector.hasPrefix("app:") {
                    let id = String(selector.dropFirst(4))
                    guard apps.app(id: id) != nil else {
                        throw invalid("entry \(index + 1) names app \(id.prefix(64)), which this daemon does not host "
                                      + "(hosted: \(apps.all.map(\.id).joined(separator: ", ")))")
                    }
                    appIDs.insert(id)
                } else if let kind = WebhookEventKind(rawValue: String(selector)) {
                    kinds.insert(kind)
                } else {
                    throw invalid("entry \(index + 1) has '\(selector.prefix(40))', which is no event kind or app:APP_ID")
                }
            }
            let route = WebhookRoute(url: try checkedURL(url, entry: index + 1, invalid: invalid),
                                     kinds: kinds.isEmpty ? Set(WebhookEventKind.allCases) : kinds,
                                     appIDs: appIDs.isEmpty ? nil : appIDs)
            guard !routes.contains(where: { $0.url == route.url }) else {
                throw invalid("\(route.displayName) is listed twice; list each URL once with every kind it wants")
            }
            routes.append(route)
        }
        guard routes.count <= maximumURLs else { throw invalid("at most \(maximumURLs) URLs") }
        var pending = 10_000
        if let maximumPending {
            guard let value = Int(maximumPending), pendingRange.contains(value) else {
                throw WebhookConfigurationError(description: "\(maximumPendingVariable) must be a whole number from "
                    + "\(pendingRange.lowerBound) to \(pendingRange.upperBound) (undelivered events kept per URL); "
                    + "got '\(maximumPending.prefix(20))'")
            }
            pending = value
        }
        return WebhookSettings(routes: routes, maximumPending: pending)
    }

    private static func checkedURL(_ text: String, entry: Int,
                                   invalid: (String) -> WebhookConfigurationError) throws(WebhookConfigurationError) -> String {
        guard text.utf8.count <= 2048, let components = URLComponents(string: text),
              let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            throw invalid("entry \(entry) is not an http(s) URL (percent-encode a comma inside it as %2C)")
        }
        guard components.host?.isEmpty == false else { throw invalid("entry \(entry) has no host") }
        guard components.user == nil, components.password == nil else {
            throw invalid("entry \(entry) carries credentials; remove them: the app verifies X-Pusher-Signature instead")
        }
        guard components.fragment == nil else { throw invalid("entry \(entry) has a #fragment; remove it") }
        return text
    }
}
