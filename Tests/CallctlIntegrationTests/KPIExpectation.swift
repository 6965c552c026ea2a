import Foundation
import Testing

/// The KPI values a test expects for one set of figures (totals or a group); nil means the
/// JSON value must be present and `null`.
struct KPIExpectation {
    var requested: Int
    var connected: Int
    var success: Double?
    var ttc: (mean: Double?, p50: Double?, p95: Double?)
    var timeout: Double?
    var busy: Double?
    var duration: Double?
    var noShow: Double?
    var recordingsMade = 0
    var recordingsPurged = 0

    /// No activity at all: zero counts, every rate and statistic null.
    static let empty = KPIExpectation(requested: 0, connected: 0, success: nil, ttc: (nil, nil, nil), timeout: nil,
                                      busy: nil, duration: nil, noShow: nil)

    /// Compares every key of docs/design.md exactly (doubles bit for bit).
    func check(_ value: Any?, _ label: String, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let object = value as? [String: Any] else {
            Issue.record("\(label): not an object: \(String(describing: value))", sourceLocation: sourceLocation)
            return
        }
        #expect(object["calls_requested"] as? Int == requested, "\(label) calls_requested", sourceLocation: sourceLocation)
        #expect(object["calls_connected"] as? Int == connected, "\(label) calls_connected", sourceLocation: sourceLocation)
        #expect(object["recordings_made"] as? Int == recordingsMade, "\(label) recordings_made", sourceLocation: sourceLocation)
        #expect(object["recordings_purged"] as? Int == recordingsPurged, "\(label) recordings_purged", sourceLocation: sourceLocation)
        let ttcObject = object["time_to_connect_ms"] as? [String: Any] ?? [:]
        let doubles: [(String, Any?, Bool, Double?)] = [
            ("connection_success_rate", object["connection_success_rate"], object.keys.contains("connection_success_rate"), success),
            ("time_to_connect_ms.mean", ttcObject["mean"], ttcObject.keys.contains("mean"), ttc.mean),
            ("time_to_connect_ms.p50", ttcObject["p50"], ttcObject.keys.contains("p50"), ttc.p50),
            ("time_to_connect_ms.p95", ttcObject["p95"], ttcObject.keys.contains("p95"), ttc.p95),
            ("timeout_rate", object["timeout_rate"], object.keys.contains("timeout_rate"), timeout),
            ("busy_rate", object["busy_rate"], object.keys.contains("busy_rate"), busy),
            ("mean_duration_s", object["mean_duration_s"], object.keys.contains("mean_duration_s"), duration),
            ("no_show_rate", object["no_show_rate"], object.keys.contains("no_show_rate"), noShow),
        ]
        for (key, actual, present, expected) in doubles {
            #expect(present, "\(label) \(key) is missing", sourceLocation: sourceLocation)
            if let expected {
                #expect((actual as? NSNumber)?.doubleValue == expected,
                        "\(label) \(key): \(String(describing: actual)) ≠ \(expected)", sourceLocation: sourceLocation)
            } else {
                #expect(actual is NSNull, "\(label) \(key) should be null, is \(String(describing: actual))", sourceLocation: sourceLocation)
            }
        }
    }
}

/// The groups of a JSON report, by key, in order.
func kpiGroups(_ report: [String: Any]) -> [(key: String, object: [String: Any])] {
    (report["groups"] as? [[String: Any]] ?? []).map { ($0["key"] as? String ?? "?", $0) }
}
