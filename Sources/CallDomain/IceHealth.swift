import Foundation

/// One ICE server's last recorded verdict (`ice_server_health`, written by `probe ice --record`).
public struct IceServerHealth: Sendable, Equatable, Codable {
    /// The URI as configured (`turn:turn.example.org:3478?transport=udp`).
    public let uri: String
    /// `ok`, `warning`, `critical` or `unknown`.
    public let status: String
    /// Why, when it is not ok.
    public let detail: String?
    /// When the probe ran.
    public let checkedAt: Date
    /// Since when it has been critical without a break; nil when it is not.
    public let failingSince: Date?

    public init(uri: String, status: String, detail: String?, checkedAt: Date, failingSince: Date?) {
        self.uri = uri
        self.status = status
        self.detail = detail
        self.checkedAt = checkedAt
        self.failingSince = failingSince
    }

    /// True when its verdict is older than `staleAfter` seconds at `now`.
    public func isStale(at now: Date, staleAfter: TimeInterval) -> Bool { now.timeIntervalSince(checkedAt) > staleAfter }
}

/// What `GET …/call/ice-servers` hands out given the servers' recorded health: the servers to
/// offer (those known down are left out unless none of their kind is left), each one's health,
/// and a warning the browser shows when relaying is down, or its health unknown or stale.
public struct IceAdvice: Sendable, Equatable {
    /// A verdict older than this (5 min) is stale: the `probe ice --record` cron runs every minute.
    public static let staleAfter: TimeInterval = 300

    /// The STUN URIs to offer.
    public let stun: [String]
    /// The TURN URIs to offer.
    public let turn: [String]
    /// The warning for the user, or nil when relaying is known to work.
    public let warning: String?

    /// Advises on `stun` and `turn` (as configured) with `health` by URI, at `now`; times in the warning are UTC.
    public init(stun: [String], turn: [String], health: [String: IceServerHealth], now: Date) {
        func fresh(_ uri: String) -> IceServerHealth? {
            health[uri].flatMap { $0.isStale(at: now, staleAfter: Self.staleAfter) ? nil : $0 }
        }
        func down(_ uri: String) -> Bool { fresh(uri)?.status == "critical" }
        func keep(_ uris: [String]) -> [String] {
            let up = uris.filter { !down($0) }
            return up.isEmpty ? uris : up
        }
        self.stun = keep(stun)
        self.turn = keep(turn)
        guard !turn.isEmpty else {
            warning = stun.isEmpty ? nil : "no relay (TURN) server is configured: calls from restrictive networks may fail; "
                + "offer the phone fallback"
            return
        }
        if turn.allSatisfy(down) {
            let since = turn.compactMap { fresh($0)?.failingSince }.min()
            warning = "relay unavailable" + (since.map { " since \(Self.clock($0)) UTC" } ?? "")
                + ": calls from restrictive networks may fail; offer the phone fallback"
        } else if turn.allSatisfy({ fresh($0) == nil }) {
            let last = turn.compactMap { health[$0]?.checkedAt }.max()
            warning = "relay health unknown" + (last.map { ": last checked \(Self.clock($0)) UTC" } ?? ": never checked")
                + "; calls from restrictive networks may fail"
        } else {
            warning = nil
        }
    }

    private static func clock(_ date: Date) -> String { LocalClock(TimeZone(secondsFromGMT: 0) ?? .gmt).hourMinute(date) }
}
