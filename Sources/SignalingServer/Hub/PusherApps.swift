import PusherProtocol

/// The Pusher apps the daemon serves, found by key (WebSocket path `/app/{key}`) or by id
/// (HTTP API path `/apps/{id}/…`). The first is the default: `/broadcasting/auth` signs with
/// it and the outbox relay publishes to it.
public struct PusherApps: Sendable {
    /// All apps, default first.
    public let all: [PusherApp]

    /// Creates the set; nil when it is empty or two apps share an id or a key.
    public init?(_ apps: [PusherApp]) {
        guard !apps.isEmpty,
              Set(apps.map(\.id)).count == apps.count,
              Set(apps.map(\.key)).count == apps.count else { return nil }
        all = apps
    }

    /// The default app.
    public var primary: PusherApp { all[0] }

    /// The app with this public key.
    public func app(key: String) -> PusherApp? { all.first { $0.key == key } }

    /// The app with this id.
    public func app(id: String) -> PusherApp? { all.first { $0.id == id } }
}
