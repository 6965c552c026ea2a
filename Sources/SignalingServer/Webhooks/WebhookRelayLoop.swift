import CallStore
import Logging
import Metrics
import Postgres
import PusherProtocol

/// The webhook relay's loop: a dedicated connection that `LISTEN`s on `callctl_webhooks`,
/// delivers what waits for each configured URL and app in batches of up to
/// ``WebhookSettings/batchLimit`` (``WebhookDeliveryStore``), then waits for a `NOTIFY` or the
/// poll interval; after a `NOTIFY` it lingers briefly so events decided together share a POST.
/// A URL that fails rests by ``WebhookBackoff`` while the others go on; a lost database
/// connection is logged once and reopened with backoff (``DatabaseLoop``).
struct WebhookRelayLoop: Sendable {
    let database: ConnectionSettings
    let apps: PusherApps
    let settings: WebhookSettings
    let sender: WebhookSender
    let control: RelayControl
    let logger: Logger

    func run() {
        let delivered = Counter(label: "callctl_webhook_events_delivered_total")
        let requests = Counter(label: "callctl_webhook_requests_total", dimensions: [("outcome", "delivered")])
        let failures = Counter(label: "callctl_webhook_requests_total", dimensions: [("outcome", "failed")])
        var failing = Set<String>()
        let loop = DatabaseLoop(database: database, name: "webhook relay",
                                meanwhile: "events wait in webhook_events and are delivered once it recovers", control: control, logger: logger)
        let prepare = { (connection: PGConnection) in
            try connection.listen(WebhookRecorder.notifyChannel)
            try WebhookDeliveryStore.register(urls: settings.routes.map(\.url), on: connection)
        }
        loop.run(prepare: prepare) { live in
            var more = false
            for route in settings.routes {
                for app in apps.all where route.wants(anyOf: app.id) {
                    switch try WebhookDeliveryStore.deliverBatch(url: route.url, appID: app.id, limit: settings.batchLimit, on: live,
                                                                deliver: { sender.send($0, to: route.url, app: app) }) {
                    case .delivered(let events):
                        delivered.increment(by: events.count)
                        requests.increment()
                        if failing.remove(route.url) != nil {
                            logger.notice("webhook URL takes events again", metadata: ["url": "\(route.displayName)"])
                        }
                        more = more || events.count == settings.batchLimit
                    case .failed(let events, let failure, let retryAfter):
                        failures.increment()
                        if failing.insert(route.url).inserted {
                            logger.warning("webhook events not delivered: \(failure); they wait and are retried with backoff",
                                           metadata: ["url": "\(route.displayName)", "events": "\(events.count)",
                                                      "retry_after": "\(retryAfter)"])
                        }
                    case .notDue, .empty, .busy:
                        break
                    }
                }
            }
            // After a notification, linger so events decided together share a POST.
            if !more { try loop.waitForNotification(on: live, poll: settings.pollInterval, linger: settings.linger) }
        }
    }
}

extension WebhookRoute {
    /// Whether this URL receives any event of app `appID`.
    func wants(anyOf appID: String) -> Bool {
        appIDs?.contains(appID) ?? true
    }
}
