import Foundation

/// One row of `appointment_channel_log`: a channel authorization callctl signed (with the
/// user), or a hub subscription or departure (by socket).
public struct ChannelEntry: Sendable, Equatable, Codable {
    /// `authorized`, `subscribed` or `left`.
    public let kind: String
    public let socketId: String
    public let userId: Int64?
    public let at: Date

    public init(kind: String, socketId: String, userId: Int64?, at: Date) {
        self.kind = kind
        self.socketId = socketId
        self.userId = userId
        self.at = at
    }
}

/// Who was subscribed to an appointment's channel at an instant, from its log: a socket is on
/// the channel from its `subscribed` row until its next `left`; its user is the one callctl
/// authorized for that socket.
public struct ChannelPresence: Sendable {
    private let intervals: [(socket: String, from: Date, until: Date?)]
    private let users: [String: Int64]

    /// Reads `entries` in time order.
    public init(_ entries: [ChannelEntry]) {
        var users: [String: Int64] = [:]
        var open: [String: Date] = [:]
        var intervals: [(socket: String, from: Date, until: Date?)] = []
        for entry in entries.sorted(by: { $0.at < $1.at }) {
            switch entry.kind {
            case "authorized": if let user = entry.userId { users[entry.socketId] = user }
            case "subscribed": if open[entry.socketId] == nil { open[entry.socketId] = entry.at }
            case "left":
                if let from = open.removeValue(forKey: entry.socketId) {
                    intervals.append((entry.socketId, from, entry.at))
                }
            default: continue
            }
        }
        intervals += open.map { ($0.key, $0.value, nil) }
        self.intervals = intervals.sorted { $0.from < $1.from }
        self.users = users
    }

    private func sockets(at moment: Date) -> [String] {
        intervals.filter { $0.from <= moment && ($0.until.map { moment < $0 } ?? true) }.map(\.socket)
    }

    /// The users (known through callctl's channel authorization) subscribed at `moment`, ascending.
    public func users(at moment: Date) -> [Int64] {
        Array(Set(sockets(at: moment).compactMap { users[$0] })).sorted()
    }

    /// How many sockets were subscribed at `moment` whose user is unknown.
    public func unknownSockets(at moment: Date) -> Int {
        sockets(at: moment).filter { users[$0] == nil }.count
    }

    /// When `user` next subscribed after `moment`, if ever.
    public func firstSubscription(of user: Int64, after moment: Date) -> Date? {
        intervals.first { users[$0.socket] == user && $0.from > moment }?.from
    }
}
