import CallStore
import Postgres

extension Hub {
    /// Records the `client_event` webhook of a client event the hub accepted, when a URL wants
    /// it: one short transaction on the hub's pool after the event was delivered (so a slow or
    /// failing database delays the sender's next message, never the event). A failure is
    /// logged: that event's webhook is lost, the only one that can be (it was never stored).
    func recordClientEvent(_ event: HubEvent, socketID: String) async {
        guard let webhooks, webhooks.wants(.clientEvent, appID: event.appID) else { return }
        let webhook = WebhookEvent.client(appID: event.appID, channel: event.channel, event: event.event, data: event.data,
                                          socketID: socketID, userID: event.userID)
        do {
            try await pool.withConnection { connection in
                try connection.transaction { try webhooks.record([webhook], on: $0) }
            }
        } catch {
            logger.warning("client_event webhook not recorded", metadata: ["channel": "\(event.channel)", "error": "\(error)"])
        }
    }
}
