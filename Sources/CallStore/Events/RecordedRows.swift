import CallDomain
import Foundation
import Postgres

/// The parameters of the audit and outbox INSERTs for a list of changes.
///
/// Building them (event JSON, array literals) is the client's costliest step on large batches
/// and needs no connection, so a job builds them on another thread while the server applies
/// the batch's updates, then adds them to the batch's ``CombinedWrite`` with
/// ``ChangeRecorder/add(_:into:)``.
public struct RecordedRows: Sendable {
    /// Audit rows to insert.
    public let auditRows: Int
    /// Outbox rows to insert.
    public let outboxRows: Int
    let audit: [any PGEncodable]
    let outbox: [any PGEncodable]

    /// Builds the rows of `changes`, with event names under `eventNamespace`.
    public init(_ changes: [RecordedChange], eventNamespace: String) throws {
        // A batch's changes share a handful of instants and detail shapes: each distinct one
        // is formatted once.
        let encoder = ISOTimestamp.jsonEncoder()
        var instants: [Date: String] = [:]
        var documents: [AuditDetails: [UInt8]] = [:]
        var atTexts: [String] = []
        var details: [[UInt8]] = []
        atTexts.reserveCapacity(changes.count)
        details.reserveCapacity(changes.count)
        for change in changes {
            let at = instants[change.at] ?? change.at.pgText
            instants[change.at] = at
            atTexts.append(at)
            let document = try documents[change.details] ?? [UInt8](encoder.encode(change.details))
            documents[change.details] = document
            details.append(document)
        }
        audit = [
            PGInt64Array(ids: changes.lazy.map(\.appointmentId)),
            PGTextArray(changes.lazy.map { $0.callId?.pgText }),
            PGTextArray(strings: changes.lazy.map(\.audit.rawValue)),
            PGInt64Array(changes.lazy.map(\.userId)),
            PGTextArray(strings: atTexts),
            JSONArrayParameter.joining(details),
        ]
        // One outbox row per event and channel: the appointment's, then any other it also goes to.
        let deliveries = changes.flatMap { change in
            change.event.map { event in [(event, event.channel)] + change.alsoOn.map { (event, $0.name) } } ?? []
        }
        outbox = [
            PGTextArray(strings: deliveries.lazy.map(\.1)),
            PGTextArray(strings: deliveries.lazy.map { $0.0.fullName(namespace: eventNamespace) }),
            JSONArrayParameter.joining(deliveries.lazy.map { [UInt8]($0.0.jsonPayload()) }),
        ]
        auditRows = changes.count
        outboxRows = deliveries.count
    }
}
