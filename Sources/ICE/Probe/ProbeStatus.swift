/// The outcome of a probe or of one of its checks, with the Nagios plugin exit codes
/// (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).
public enum ProbeStatus: Int32, Hashable, Sendable, CaseIterable, Comparable, CustomStringConvertible {
    /// Everything answered as it should, within the thresholds.
    case ok = 0
    /// It works, but slower than the warning threshold, or with a flaw worth a look.
    case warning = 1
    /// It does not work: the server did not answer, refused, or relayed nothing.
    case critical = 2
    /// The probe could not tell: bad arguments or a local problem.
    case unknown = 3

    /// The process exit code a monitoring system reads.
    public var exitCode: Int32 { rawValue }

    /// `OK`, `WARNING`, `CRITICAL` or `UNKNOWN`, as Nagios prints states.
    public var description: String {
        switch self {
        case .ok: "OK"
        case .warning: "WARNING"
        case .critical: "CRITICAL"
        case .unknown: "UNKNOWN"
        }
    }

    /// How bad a status is when several are combined: OK < UNKNOWN < WARNING < CRITICAL,
    /// so a summary is CRITICAL as soon as one server is, and UNKNOWN only hides OKs.
    private var severity: Int {
        switch self {
        case .ok: 0
        case .unknown: 1
        case .warning: 2
        case .critical: 3
        }
    }

    /// Orders statuses by severity; `max()` of a collection is the worst one.
    public static func < (lhs: ProbeStatus, rhs: ProbeStatus) -> Bool {
        lhs.severity < rhs.severity
    }
}
