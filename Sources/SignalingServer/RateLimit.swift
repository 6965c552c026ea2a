import Foundation
import NIOConcurrencyHelpers

/// A token-bucket limit: `burst` actions at once, then one more every `period / burst`.
public struct RateLimit: Sendable, Equatable, CustomStringConvertible {
    /// Actions allowed at once.
    public let burst: Int
    /// The time over which `burst` actions are refilled.
    public let period: TimeInterval

    /// The default for `request` and `accept`: 5 per 10 seconds per user and appointment.
    public static let standard = RateLimit(checkedBurst: 5, period: 10)

    /// Creates a limit; nil unless `burst` ≥ 1 and `period` > 0.
    public init?(burst: Int, period: TimeInterval) {
        guard burst >= 1, period > 0, period.isFinite else { return nil }
        self.init(checkedBurst: burst, period: period)
    }

    private init(checkedBurst burst: Int, period: TimeInterval) {
        self.burst = burst
        self.period = period
    }

    /// Parses `N/DURATION`, e.g. `5/10s`, `30/1m`, `1000/1s`.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let burst = Int(parts[0]), let unit = parts[1].last else { return nil }
        let multiplier: TimeInterval = switch unit {
        case "s": 1
        case "m": 60
        case "h": 3600
        default: 0
        }
        guard multiplier > 0, let amount = Double(parts[1].dropLast()) else { return nil }
        self.init(burst: burst, period: amount * multiplier)
    }

    /// `N/Ts`.
    public var description: String { "\(burst)/\(period.formatted(.number.grouping(.never)))s" }
}

/// Buckets per key, in memory (one daemon's view: behind a load balancer each daemon limits
/// on its own). Idle buckets are dropped, and the table never holds more than
/// ``maximumKeys`` entries, so a flood of distinct keys cannot exhaust memory.
final class RateLimiter<Key: Hashable & Sendable>: Sendable {
    static var maximumKeys: Int { 100_000 }

    private struct Bucket {
        var tokens: Double
        var updated: Date
    }

    private let limit: RateLimit
    private let buckets = NIOLockedValueBox<[Key: Bucket]>([:])

    init(limit: RateLimit) {
        self.limit = limit
    }

    /// How many keys have a bucket now.
    var count: Int { buckets.withLockedValue(\.count) }

    /// Takes one token for `key` at `now`; nil when allowed, else the seconds until one is
    /// available (at least 1, for `Retry-After`).
    func take(_ key: Key, now: Date) -> Int? {
        let refillPerSecond = Double(limit.burst) / limit.period
        let capacity = Double(limit.burst)
        return buckets.withLockedValue { table in
            if table.count >= Self.maximumKeys { Self.prune(&table, now: now, fullAfter: limit.period) }
            var bucket = table[key] ?? Bucket(tokens: capacity, updated: now)
            let elapsed = max(0, now.timeIntervalSince(bucket.updated))
            bucket.tokens = min(capacity, bucket.tokens + elapsed * refillPerSecond)
            bucket.updated = now
            guard bucket.tokens >= 1 else {
                table[key] = bucket
                return max(1, Int(((1 - bucket.tokens) / refillPerSecond).rounded(.up)))
            }
            bucket.tokens -= 1
            table[key] = bucket
            return nil
        }
    }

    /// Drops buckets that have refilled completely; if that frees nothing, drops them all
    /// (a flood of distinct keys: forgetting is safer than growing).
    private static func prune(_ table: inout [Key: Bucket], now: Date, fullAfter period: TimeInterval) {
        table = table.filter { now.timeIntervalSince($0.value.updated) < period }
        if table.count >= maximumKeys { table.removeAll(keepingCapacity: true) }
    }
}
