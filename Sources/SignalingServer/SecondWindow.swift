/// A count of one client's actions in the current one-second window: the per-connection
/// budgets of the hub (messages, client events, subscriptions) and the broker (messages).
struct SecondWindow: Sendable {
    private var start: ContinuousClock.Instant
    private var count = 0

    /// A window starting at `now`.
    init(_ now: ContinuousClock.Instant) {
        start = now
    }

    /// Counts one more action at `now`; whether it fits in `limit` a second.
    mutating func admit(_ limit: Int, now: ContinuousClock.Instant) -> Bool {
        if now - start >= .seconds(1) {
            start = now
            count = 0
        }
        count += 1
        return count <= limit
    }
}
