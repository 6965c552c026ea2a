import CallDomain
import Postgres

/// ``CallDomain/RetentionRule`` in SQL, for statements over `recordings r`: the retention of
/// `r` in seconds is its appointment's tenant's own value, else the clinic-wide one. The tenants'
/// values travel as two parallel arrays, so the statements stay parameterized.
enum RetentionSQL {
    /// The seconds expression, reading the tenants from `tenants`, their seconds from `seconds`
    /// and the clinic-wide value from `global` (placeholders such as `$6`).
    static func seconds(tenants: String, seconds: String, global: String) -> String {
        """
        coalesce((SELECT o.seconds FROM appointments a
                  JOIN unnest(\(tenants)::bigint[], \(seconds)::bigint[]) AS o(tenant_id, seconds) ON o.tenant_id = a.tenant_id
                  WHERE a.id = r.appointment_id), \(global)::bigint)
        """
    }

    /// The values for the three placeholders, in that order.
    static func parameters(_ rule: RetentionRule) -> [(any PGEncodable)?] {
        let tenants = rule.byTenant.sorted { $0.key < $1.key }
        return [PGInt64Array(ids: tenants.map(\.key)), PGInt64Array(ids: tenants.map { Int64($0.value) }), Int64(rule.seconds)]
    }
}
