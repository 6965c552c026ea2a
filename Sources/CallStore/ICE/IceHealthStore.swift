import CallDomain
import Foundation
import Postgres

/// `ice_server_health`: each ICE server's last verdict.
public enum IceHealthStore {
    /// One server's verdict from a probe run.
    public struct Verdict: Sendable, Equatable {
        public let uri: String
        /// `ok`, `warning`, `critical` or `unknown`.
        public let status: String
        public let detail: String?

        public init(uri: String, status: String, detail: String?) {
            self.uri = uri
            self.status = status
            self.detail = detail.map { String($0.prefix(500)) }
        }
    }

    static let upsert = """
        INSERT INTO ice_server_health AS h (uri, status, detail, checked_at, failing_since)
        SELECT v.uri, v.status, v.detail, $4, CASE WHEN v.status = 'critical' THEN $4 END
        FROM unnest($1::text[], $2::text[], $3::text[]) AS v(uri, status, detail)
        ON CONFLICT (uri) DO UPDATE SET status = excluded.status, detail = excluded.detail, checked_at = excluded.checked_at,
            failing_since = CASE WHEN excluded.status <> 'critical' THEN NULL ELSE coalesce(h.failing_since, excluded.checked_at) END
        """

    /// Records `verdicts` as of `now`, in one statement; a server that stays critical keeps its `failing_since`.
    public static func record(_ verdicts: [Verdict], now: Date, on connection: PGConnection) throws {
        guard !verdicts.isEmpty else { return }
        try connection.query(upsert, PGTextArray(strings: verdicts.map(\.uri)), PGTextArray(strings: verdicts.map(\.status)),
                             PGTextArray(verdicts.map(\.detail)), now)
    }

    /// Every recorded server, by URI; empty when none was recorded.
    public static func read(on connection: PGConnection) throws -> [String: IceServerHealth] {
        let rows = try connection.query("SELECT uri, status, detail, checked_at, failing_since FROM ice_server_health").rows
        return Dictionary(uniqueKeysWithValues: try rows.map { row in
            let uri = try row.decode(String.self, "uri")
            return (uri, IceServerHealth(uri: uri, status: try row.decode(String.self, "status"), detail: try row.decode(String?.self, "detail"),
                                         checkedAt: try row.decode(Date.self, "checked_at"),
                                         failingSince: try row.decode(Date?.self, "failing_since")))
        })
    }
}
