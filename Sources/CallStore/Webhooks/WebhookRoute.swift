import Foundation

/// One receiving URL of Pusher webhooks and what it wants (`CALLCTL_WEBHOOK_URLS`).
public struct WebhookRoute: Sendable, Equatable {
    /// The URL POSTed to, as configured (it identifies the URL's backlog in the database).
    public let url: String
    /// The kinds it receives.
    public let kinds: Set<WebhookEventKind>
    /// The apps whose events it receives; nil for every hosted app.
    public let appIDs: Set<String>?

    /// Creates a route.
    public init(url: String, kinds: Set<WebhookEventKind> = Set(WebhookEventKind.allCases), appIDs: Set<String>? = nil) {
        self.url = url
        self.kinds = kinds
        self.appIDs = appIDs
    }

    /// Whether this URL receives `kind` events of app `appID`.
    public func wants(_ kind: WebhookEventKind, appID: String) -> Bool {
        kinds.contains(kind) && (appIDs?.contains(appID) ?? true)
    }

    /// The URL without user info, query or fragment: what logs, `outbox status` and
    /// `/metrics` show, since a query may carry a token.
    public var displayName: String {
        Self.displayName(url)
    }

    /// ``displayName`` of any stored URL.
    public static func displayName(_ url: String) -> String {
        guard var components = URLComponents(string: url) else { return "(unparsable URL)" }
        components.user = nil
        components.password = nil
        let hidden = components.query != nil
        components.query = nil
        components.fragment = nil
        return (components.string ?? "(unparsable URL)") + (hidden ? "?…" : "")
    }
}
