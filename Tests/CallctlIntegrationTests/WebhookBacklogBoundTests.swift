import CallStore
import Foundation
import NIOConcurrencyHelpers
import Postgres
import Testing

/// The webhooks' backlog bound (docs/design.md, "Webhooks"): a URL holds at most its limit of
/// undelivered events; what does not fit is not written, but counted where `outbox status`
/// reads it and reported to the daemon, and nothing older is discarded.
@Suite("webhook recording: the backlog bound per URL", .serialized)
struct WebhookBacklogBoundTests {
    @Test("150 events for a URL bounded at 100: 100 stored in order, the other 50 and a later one counted as dropped; another URL is unaffected")
    func bound() throws {
        let database = try TestDatabase()
        let connection = try database.migrated()
        let outcomes = NIOLockedValueBox<[WebhookRecorder.Outcome]>([])
        let recorder = WebhookRecorder(
            routes: [WebhookRoute(url: "http://127.0.0.1:9/full"), WebhookRoute(url: "http://127.0.0.1:9/few", kinds: [.channelVacated])],
            maximumPending: 100, observer: { new in outcomes.withLockedValue { $0 += new } })
        let events = (0..<150).map { WebhookEvent.occupancy(true, appID: "1", channel: "c\($0)") }
        try connection.transaction { try recorder.record(Array(events[..<60]), on: $0) }
        try connection.transaction { try recorder.record(Array(events[60...]), on: $0) }
        try connection.transaction { try recorder.record([.occupancy(false, appID: "1", channel: "c0")], on: $0) }
        let stored = try connection.query("SELECT channel FROM webhook_events WHERE url = $1 ORDER BY id", "http://127.0.0.1:9/full")
            .rows.map { try $0.decode(String.self, "channel") }
        // The first 100 in order; the vacated event after them found the URL full too.
        #expect(stored == (0..<100).map { "c\($0)" }, "\(stored.suffix(3))")
        let dropped = try connection.query("SELECT dropped FROM webhook_targets WHERE url = $1", "http://127.0.0.1:9/full")
            .first?.decode(Int64.self, "dropped")
        #expect(dropped == 51)
        #expect(try connection.query("SELECT count(*) AS n FROM webhook_events WHERE url = $1", "http://127.0.0.1:9/few")
            .first?.decode(Int64.self, "n") == 1)
        let full = outcomes.withLockedValue { $0 }.filter { $0.url.hasSuffix("/full") }
        #expect(full.map(\.stored) == [60, 40, 0] && full.map(\.dropped) == [0, 50, 1], "\(full)")
        let backlog = try WebhookBacklogQuery.read(on: connection)
        #expect(backlog.first { $0.url.hasSuffix("/full") }.map { ($0.pending, $0.dropped) } ?? (0, 0) == (100, 51))
    }
}
