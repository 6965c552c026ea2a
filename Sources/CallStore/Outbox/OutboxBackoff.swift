/// How long an outbox row waits before its next delivery attempt to the external server:
/// 1 s after the first failure, doubling to at most 60 s, plus up to 10 % jitter so daemons
/// that failed together do not retry together.
public enum OutboxBackoff {
    /// The longest wait before jitter.
    public static let maximum = Duration.seconds(60)

    /// The wait after `attempts` failed attempts (1 for the first failure); `jitter` is a
    /// fraction in `0..<1` of the 10 % allowance (pass `Double.random(in: 0..<1)`).
    public static func delay(afterAttempts attempts: Int, jitter: Double) -> Duration {
        let exponent = min(max(attempts, 1) - 1, 6)
        let base = min(Duration.seconds(1 << exponent), maximum)
        return base + base * (min(max(jitter, 0), 1) * 0.1)
    }
}
