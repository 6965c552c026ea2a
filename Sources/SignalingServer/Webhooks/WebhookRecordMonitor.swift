import CallStore
import Foundation
import Logging
import Metrics
import NIOConcurrencyHelpers

/// What the hub's webhook recording reports: events recorded and dropped in `/metrics`
/// (`callctl_webhook_events_recorded_total`, `callctl_webhook_events_dropped_total`), and a
/// warning when a URL's backlog is full, at most once a minute per URL (the count in it says
/// how many were dropped since the last). A drop is counted before its transaction commits,
/// so one rolled back (the database failed) may be counted too.
final class WebhookRecordMonitor: Sendable {
    private let recorded = Counter(label: "callctl_webhook_events_recorded_total")
    private let dropped = Counter(label: "callctl_webhook_events_dropped_total")
    private let logger: Logger
    private let maximumPending: Int
    /// Per URL: when it was last logged, and drops since.
    private let unlogged = NIOLockedValueBox([String: (loggedAt: ContinuousClock.Instant?, count: Int)]())

    init(logger: Logger, maximumPending: Int) {
        self.logger = logger
        self.maximumPending = maximumPending
    }

    func observe(_ outcomes: [WebhookRecorder.Outcome]) {
        for outcome in outcomes {
            if outcome.stored > 0 { recorded.increment(by: outcome.stored) }
            guard outcome.dropped > 0 else { continue }
            dropped.increment(by: outcome.dropped)
            let now = ContinuousClock.now
            let report: Int? = unlogged.withLockedValue { state in
                var entry = state[outcome.url] ?? (nil, 0)
                entry.count += outcome.dropped
                defer { state[outcome.url] = entry }
                if let last = entry.loggedAt, last.duration(to: now) < .seconds(60) { return nil }
                defer { entry = (now, 0) }
                return entry.count
            }
            if let report {
                logger.warning("webhook events dropped: the URL's backlog is full (\(maximumPending) undelivered); bring the app back or raise CALLCTL_WEBHOOK_MAX_PENDING, and see callctl outbox status",
                               metadata: ["url": "\(WebhookRoute.displayName(outcome.url))", "dropped": "\(report)"])
            }
        }
    }
}
