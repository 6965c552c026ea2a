import CallctlConfig
import SignalingServer

extension ServeSettings {
    /// The Pusher webhooks from `CALLCTL_WEBHOOK_URLS` and `CALLCTL_WEBHOOK_MAX_PENDING`; nil
    /// when no URL is set. A bad value fails with 78 and the expected form.
    static func webhooks(_ environment: Environment, apps: PusherApps) throws -> WebhookSettings? {
        do {
            return try WebhookSettings.parse(urls: environment[WebhookSettings.urlsVariable],
                                             maximumPending: environment[WebhookSettings.maximumPendingVariable], apps: apps)
        } catch {
            throw Failure(message: error.description, exitCode: Failure.configuration)
        }
    }
}
