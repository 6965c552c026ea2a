/// How long a webhook URL rests after failed deliveries: 1 s after the first failure, doubling
/// to at most 5 min; jitter takes up to a fifth off, so daemons and URLs that failed together
/// spread out and no wait is ever longer than the maximum.
public enum WebhookBackoff {
    /// The longest wait.
    public static let maximum = Duration.seconds(300)

    /// The wait after `attempts` failed attempts in a row (1 for the first failure); `jitter`
    /// is a fraction in `0..<1` (pass `Double.random(in: 0..<1)`).
    public static func delay(afterAttempts attempts: Int, jitter: Double) -> Duration {
        let exponent = min(max(attempts, 1) - 1, 9)
        let base = min(Duration.seconds(1 << exponent), maximum)
        return base - base * (min(max(jitter, 0), 1) * 0.2)
    }
}
