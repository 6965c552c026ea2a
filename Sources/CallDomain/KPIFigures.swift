/// Mean and continuous percentiles of a set of values; nil when there were no values.
public struct KPIDistribution: Sendable, Equatable {
    /// The arithmetic mean.
    public var mean: Double?
    /// The median, `percentile_cont(0.5)`.
    public var p50: Double?
    /// `percentile_cont(0.95)`.
    public var p95: Double?

    /// Creates a distribution summary.
    public init(mean: Double?, p50: Double?, p95: Double?) {
        self.mean = mean
        self.p50 = p50
        self.p95 = p95
    }
}

/// The counts and statistics behind the KPIs of one group, or of the whole period, as the
/// database aggregates them. Rates are derived here with `KPIRatio`, so an empty denominator
/// is "no data" (nil), never a division by zero.
public struct KPIFigures: Sendable, Equatable {
    /// Call sessions requested in the period.
    public var callsRequested: Int
    /// Of those, sessions that were accepted (`accepted_at` set).
    public var callsAccepted: Int
    /// Of those, sessions that reached `in_call` (`connected_at` set).
    public var callsConnected: Int
    /// Of those, sessions ended `timeout_no_answer`.
    public var timeouts: Int
    /// `connected_at − accepted_at` in milliseconds over connected sessions.
    public var timeToConnectMs: KPIDistribution
    /// `busy` audit events in the period.
    public var busyEvents: Int
    /// Mean `ended_at − started_at` in seconds of appointments completed, scheduled in the period.
    public var meanDurationSeconds: Double?
    /// Appointments scheduled in the period that were not cancelled or rescheduled.
    public var appointmentsHeld: Int
    /// Of those, appointments marked `no_show`.
    public var noShows: Int
    /// What tells failures apart: end reasons and the browsers' reports.
    public var failures = KPIFailureFigures()
    /// Recordings received in the period (by `received_at`).
    public var recordingsMade = 0
    /// Recordings deleted after their retention in the period (by `purged_at`).
    public var recordingsPurged = 0

    /// Creates figures from the aggregated counts.
    public init(callsRequested: Int, callsAccepted: Int, callsConnected: Int, timeouts: Int,
                timeToConnectMs: KPIDistribution, busyEvents: Int, meanDurationSeconds: Double?,
                appointmentsHeld: Int, noShows: Int) {
        self.callsRequested = callsRequested
        self.callsAccepted = callsAccepted
        self.callsConnected = callsConnected
        self.timeouts = timeouts
        self.timeToConnectMs = timeToConnectMs
        self.busyEvents = busyEvents
        self.meanDurationSeconds = meanDurationSeconds
        self.appointmentsHeld = appointmentsHeld
        self.noShows = noShows
    }

    /// A group with no activity at all: zero counts, no rates, no statistics.
    public static let empty = KPIFigures(
        callsRequested: 0, callsAccepted: 0, callsConnected: 0, timeouts: 0,
        timeToConnectMs: KPIDistribution(mean: nil, p50: nil, p95: nil), busyEvents: 0,
        meanDurationSeconds: nil, appointmentsHeld: 0, noShows: 0)

    /// `calls_connected ÷ accepted sessions`.
    public var connectionSuccess: KPIRatio { KPIRatio(callsConnected, over: callsAccepted) }
    /// `timeout_no_answer sessions ÷ calls_requested`.
    public var timeout: KPIRatio { KPIRatio(timeouts, over: callsRequested) }
    /// `busy events ÷ (calls_requested + busy events)`.
    public var busy: KPIRatio { KPIRatio(busyEvents, over: callsRequested + busyEvents) }
    /// `no_show appointments ÷ appointments held (not cancelled or rescheduled)`.
    public var noShow: KPIRatio { KPIRatio(noShows, over: appointmentsHeld) }
    /// `calls whose ice report says relay ÷ calls with an ice report`.
    public var relayed: KPIRatio { KPIRatio(failures.relayedCalls, over: failures.iceReportedCalls) }
    /// `heartbeat_lost sessions ÷ calls_connected`.
    public var dropped: KPIRatio { KPIRatio(failures.endReasons[EndReason.heartbeatLost.rawValue] ?? 0, over: callsConnected) }
    /// `calls with a poor quality report ÷ calls with a quality report`.
    public var poorNetwork: KPIRatio { KPIRatio(failures.poorNetworkCalls, over: failures.qualityReportedCalls) }
    /// Camera and microphone errors reported per 100 calls requested; nil without requests.
    public var permissionFailuresPer100: Double? {
        callsRequested == 0 ? nil : Double(failures.permissionErrors) * 100 / Double(callsRequested)
    }

    /// The headline value of a KPI: counts as numbers, rates as fractions, time to connect as
    /// its mean; nil when there is no data.
    public func value(of kpi: KPI) -> Double? {
        switch kpi {
        case .callsRequested: Double(callsRequested)
        case .callsConnected: Double(callsConnected)
        case .connectionSuccessRate: connectionSuccess.value
        case .timeToConnectMs: timeToConnectMs.mean
        case .timeoutRate: timeout.value
        case .busyRate: busy.value
        case .meanDurationSeconds: meanDurationSeconds
        case .noShowRate: noShow.value
        case .relayedShare: relayed.value
        case .dropRate: dropped.value
        case .permissionFailuresPer100: permissionFailuresPer100
        case .poorNetworkShare: poorNetwork.value
        case .recordingsMade: Double(recordingsMade)
        case .recordingsPurged: Double(recordingsPurged)
        }
    }
}

/// The counts that tell TURN, permission and network failures apart: sessions by end reason
/// (by `requested_at`) and the browsers' reports (`…/call/report`, by their time).
public struct KPIFailureFigures: Sendable, Equatable {
    /// Sessions of the period by end reason (every reason listed, zero included).
    public var endReasons: [String: Int]
    /// Distinct calls with an `ice` report, and of those, calls one of whose reports says `relay`.
    public var iceReportedCalls: Int, relayedCalls: Int
    /// Distinct calls with a `quality` report, and of those, calls with a poor one (loss > 5 % or RTT > 400 ms).
    public var qualityReportedCalls: Int, poorNetworkCalls: Int
    /// `error` reports naming a camera or microphone failure (``CallReport/permissionErrors``).
    public var permissionErrors: Int

    /// Creates the counts; every end reason starts at zero.
    public init(endReasons: [String: Int] = [:], iceReportedCalls: Int = 0, relayedCalls: Int = 0, qualityReportedCalls: Int = 0,
                poorNetworkCalls: Int = 0, permissionErrors: Int = 0) {
        self.endReasons = Dictionary(uniqueKeysWithValues: EndReason.allCases.map { ($0.rawValue, endReasons[$0.rawValue] ?? 0) })
        self.iceReportedCalls = iceReportedCalls
        self.relayedCalls = relayedCalls
        self.qualityReportedCalls = qualityReportedCalls
        self.poorNetworkCalls = poorNetworkCalls
        self.permissionErrors = permissionErrors
    }
}

/// The figures of one group: a local day (`2026-03-01`), a doctor id or a tenant id.
public struct KPIGroup: Sendable, Equatable {
    /// The group's key as text.
    public let key: String
    /// Its figures.
    public let figures: KPIFigures

    /// Creates a group.
    public init(key: String, figures: KPIFigures) {
        self.key = key
        self.figures = figures
    }
}

/// A complete KPI report: the period, how it is grouped, the totals and the groups.
public struct KPIReport: Sendable, Equatable {
    /// The period `[from, to)` and its time zone.
    public let period: KPIPeriod
    /// The breakdown, nil for totals only.
    public let grouping: KPIGrouping?
    /// The tenant the report is restricted to, if any.
    public let tenant: Int64?
    /// The whole period.
    public let totals: KPIFigures
    /// The groups in order: every day of the period, or doctors/tenants by id.
    public let groups: [KPIGroup]

    /// Creates a report.
    public init(period: KPIPeriod, grouping: KPIGrouping?, tenant: Int64?, totals: KPIFigures, groups: [KPIGroup]) {
        self.period = period
        self.grouping = grouping
        self.tenant = tenant
        self.totals = totals
        self.groups = groups
    }
}
