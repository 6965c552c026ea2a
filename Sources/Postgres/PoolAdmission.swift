/// When a pool with an acquire timeout refuses a caller at once rather than after the timeout.
///
/// A caller that finds every connection busy would be number `position` in the queue. With
/// connections held `averageHold` on average, the `size` connections free about `size` callers
/// per `averageHold`, so it would wait about `position / size × averageHold`. When that is
/// longer than the timeout, waiting the whole timeout only to answer `overloaded` then spends
/// the caller's time and the daemon's memory for nothing: it is refused now (a fast 503 with
/// Retry-After), and the callers already admitted keep their turn.
public struct PoolAdmission: Sendable {
    /// The exponentially weighted mean of how long a connection is held; nil before the first release.
    public private(set) var averageHold: Duration?
    /// The weight of each new observation (1/8: the mean follows a change in a few dozen releases).
    static let weight = 0.125

    /// An estimate with no observation yet: every caller waits, up to the timeout.
    public init() {}

    /// Adds one observed hold time.
    public mutating func record(hold: Duration) {
        guard let averageHold else { averageHold = hold; return }
        self.averageHold = averageHold + (hold - averageHold) * Self.weight
    }

    /// The expected wait of queue position `position` (1 for the first waiter) with `size` connections.
    public func expectedWait(position: Int, size: Int) -> Duration? {
        averageHold.map { $0 * (Double(position) / Double(max(size, 1))) }
    }

    /// True when queue position `position` would wait longer than `timeout` by the estimate.
    public func refusesAtOnce(position: Int, size: Int, timeout: Duration) -> Bool {
        guard let expected = expectedWait(position: position, size: size) else { return false }
        return expected > timeout
    }
}
