import Postgres

/// One outbox row as the relay and the external publisher send it.
public struct OutboxRow: Sendable, Equatable {
    /// The row's id: events go out in id order.
    public let id: Int64
    /// The channel, e.g. `private-appointments.42`.
    public let channel: String
    /// The event name, e.g. `App\Events\AppointmentCallRequested`.
    public let event: String
    /// The payload as PostgreSQL prints the `jsonb` value; sent unchanged as the event's data.
    public let payloadJSONText: String
    /// Failed deliveries to the external server so far.
    public let attempts: Int

    /// Creates a row.
    public init(id: Int64, channel: String, event: String, payloadJSONText: String, attempts: Int = 0) {
        self.id = id
        self.channel = channel
        self.event = event
        self.payloadJSONText = payloadJSONText
        self.attempts = attempts
    }

    /// The columns every claim selects, in the names ``init(row:)`` reads.
    static let columns = "id, channel, event, payload::text AS payload, attempts"

    /// Decodes the columns of ``columns``.
    init(row: PGRow) throws {
        self.init(id: try row.decode(Int64.self, "id"), channel: try row.decode(String.self, "channel"),
                  event: try row.decode(String.self, "event"), payloadJSONText: try row.decode(String.self, "payload"),
                  attempts: Int(try row.decode(Int32.self, "attempts")))
    }
}
