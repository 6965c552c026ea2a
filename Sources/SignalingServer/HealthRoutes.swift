import CallDomain
import CallStore
import Foundation
import Hummingbird
import Prometheus

/// `/healthz` (the process answers), `/readyz` (the database answers within 2 s; `warnings`
/// lists disagreements between daemons on the outbox's external target) and
/// `/metrics` (Prometheus text: requests by route and status, latencies, and — read from the
/// database at each scrape — open calls by state and the outbox backlog).
struct HealthRoutes: Sendable {
    let dependencies: SignalingDependencies
    let registry: PrometheusCollectorRegistry

    func add(to router: Router<CallRequestContext>) {
        router.get("healthz") { _, _ in JSONBody.response(["status": "ok"]) }
        router.get("readyz", use: ready)
        router.get("metrics", use: metrics)
    }

    @Sendable func ready(_ request: Request, context: CallRequestContext) async throws -> Response {
        do {
            _ = try await withDeadline(seconds: 2) { try await dependencies.pool.withConnection { try $0.ping() } }
        } catch {
            context.logger.warning("not ready", metadata: ["error": "\(error)"])
            throw APIError(.serviceUnavailable, reason: "unavailable", "The database does not answer; see the daemon's log.")
        }
        return JSONBody.response(Readiness(status: "ready", warnings: dependencies.hub.outboxProblems))
    }

    /// `/readyz`'s answer: ready, with what is wrong between daemons but does not stop this one
    /// from serving (daemons disagreeing on the external Pusher target).
    struct Readiness: Encodable {
        let status: String
        let warnings: [String]
    }

    @Sendable func metrics(_ request: Request, context: CallRequestContext) async throws -> Response {
        var text = registry.emitToString()
        do {
            let figures = try await withDeadline(seconds: 2) { try await dependencies.pool.withConnection(ServiceGauges.read) }
            text += figures.prometheusText()
        } catch {
            text += "# TYPE callctl_database_up gauge\ncallctl_database_up 0\n"
        }
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

/// The database gauges as Prometheus text.
extension ServiceGauges {
    func prometheusText() -> String {
        var lines = ["# TYPE callctl_database_up gauge", "callctl_database_up 1",
                     "# HELP callctl_open_calls Call sessions not ended, by state.", "# TYPE callctl_open_calls gauge"]
        lines += openCalls.sorted { $0.key.rawValue < $1.key.rawValue }
            .map { "callctl_open_calls{state=\"\($0.key.rawValue)\"} \($0.value)" }
        lines += ["# HELP callctl_outbox_backlog Outbox rows not yet published.", "# TYPE callctl_outbox_backlog gauge",
                  "callctl_outbox_backlog \(backlog)",
                  "# HELP callctl_outbox_oldest_age_seconds Age of the oldest unpublished outbox row.",
                  "# TYPE callctl_outbox_oldest_age_seconds gauge",
                  "callctl_outbox_oldest_age_seconds \(String(format: "%.3f", oldestPendingAgeSeconds))",
                  "# HELP callctl_webhook_backlog Webhook events not yet delivered, over all URLs.",
                  "# TYPE callctl_webhook_backlog gauge", "callctl_webhook_backlog \(webhookBacklog)",
                  "# HELP callctl_webhook_oldest_age_seconds Age of the oldest undelivered webhook event.",
                  "# TYPE callctl_webhook_oldest_age_seconds gauge",
                  "callctl_webhook_oldest_age_seconds \(String(format: "%.3f", webhookOldestAgeSeconds))",
                  "# HELP callctl_webhook_failing_urls Webhook URLs whose last delivery failed.",
                  "# TYPE callctl_webhook_failing_urls gauge", "callctl_webhook_failing_urls \(webhookFailingURLs)"]
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Runs `body`, giving up after `seconds` (the body's blocking work may finish later; its
/// result is then dropped).
func withDeadline<T: Sendable>(seconds: Int, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw CancellationError() }
        return value
    }
}
