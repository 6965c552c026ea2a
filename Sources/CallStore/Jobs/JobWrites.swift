import CallDomain
import Foundation
import Postgres

/// Set-based writes of decided changes: the rows are already locked by the caller's claim,
/// each write is guarded by the state it expects (the session's `from` state, the
/// transition's source status), and the new values come from the domain (``AppointmentTransition``, ``CallStep``). Each
/// writes exactly the stamps the domain names, with `now` as their value, and checks that
/// every row it was given changed.
enum JobWrites {
    /// Applies `transition` to the appointments; every id must be updated (they are locked).
    static func apply(_ transition: AppointmentTransition, to ids: [Int64], now: Date, on connection: PGConnection) throws {
        var statement = CombinedWrite()
        add(transition, to: ids, now: now, into: &statement)
        try statement.execute(on: connection)
    }

    /// Adds the UPDATE of `apply(_:to:now:on:)` to a combined write.
    static func add(_ transition: AppointmentTransition, to ids: [Int64], now: Date, into statement: inout CombinedWrite) {
        guard !ids.isEmpty else { return }
        let values: [any PGEncodable] = [PGInt64Array(ids: ids), transition.target.rawValue, now, transition.source.rawValue]
        statement.add(values, expecting: ids.count, "appointments") { p in
            let stamps = transition.stamps.map(\.rawValue).sorted().map { "\($0) = \(p[2])" }
            let sets = ["status = \(p[1])", "updated_at = now()"] + stamps
            return """
                UPDATE appointments SET \(sets.joined(separator: ", ")) WHERE id = ANY(\(p[0])::bigint[]) AND status = \(p[3])
                RETURNING 1
                """
        }
    }

    /// Applies each session's step; every session must be updated (they are locked).
    static func apply(_ steps: [(id: UUID, step: CallStep)], now: Date, on connection: PGConnection) throws {
        var statement = CombinedWrite()
        add(steps, now: now, into: &statement)
        try statement.execute(on: connection)
    }

    /// Adds the UPDATEs of `apply(_:now:on:)` to a combined write; steps with the same stamps
    /// share one UPDATE.
    static func add(_ steps: [(id: UUID, step: CallStep)], now: Date, into statement: inout CombinedWrite) {
        for (stamps, group) in Dictionary(grouping: steps, by: \.step.stamps) {
            let values: [any PGEncodable] = [
                PGTextArray(strings: group.lazy.map(\.id.pgText)),
                PGTextArray(strings: group.lazy.map(\.step.to.rawValue)),
                PGTextArray(group.lazy.map { $0.step.endReason?.rawValue }),
                now,
                PGTextArray(strings: group.lazy.map(\.step.from.rawValue)),
            ]
            statement.add(values, expecting: group.count, "call sessions") { p in
                let sets = ["state = c.state", "end_reason = c.reason",
                            "recording_since = CASE WHEN c.state = 'ended' THEN NULL ELSE s.recording_since END"] + stamps.map(\.rawValue).sorted().map { "\($0) = \(p[3])" }
                return """
                    UPDATE call_sessions AS s SET \(sets.joined(separator: ", "))
                    FROM unnest(\(p[0])::uuid[], \(p[1])::text[], \(p[2])::text[], \(p[4])::text[]) AS c(id, state, reason, expected)
                    WHERE s.id = c.id AND s.state = c.expected
                    RETURNING 1
                    """
            }
        }
    }
}

extension CallStep {
    /// The end reason of a closing step; a step that ends nothing is a bug in the caller.
    func requiredEndReason() throws -> EndReason {
        guard let reason = endReason else { throw StoreError("a \(from.rawValue) → \(to.rawValue) step has no end reason") }
        return reason
    }
}
