import Foundation

/// Why a KPI period was refused.
public enum KPIPeriodError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The time zone is not an IANA name this system knows.
    case unknownZone(String)
    /// `from` is not before `to`.
    case emptyPeriod(from: CalendarDay, to: CalendarDay)
    /// The period has more than ``KPIPeriod/maximumDays`` days.
    case periodTooLong(from: CalendarDay, to: CalendarDay, days: Int)

    public var description: String {
        switch self {
        case .unknownZone(let name):
            "unknown time zone '\(name)': use an IANA name such as UTC, Europe/Berlin or America/New_York"
        case .emptyPeriod(let from, let to):
            "--from \(from) must be before --to \(to): the period is [from, to), so --to is the day after the last day reported"
        case .periodTooLong(let from, let to, let days):
            "--from \(from) --to \(to) spans \(days) days; a report covers at most \(KPIPeriod.maximumDays) days "
                + "(about ten years): split the period into several reports"
        }
    }
}

/// A reporting period `[from, to)` of local calendar days in an IANA time zone, with the UTC
/// instants that bound it: `from`'s local midnight up to, not including, `to`'s.
public struct KPIPeriod: Sendable, Equatable {
    /// The first day reported.
    public let from: CalendarDay
    /// The day after the last day reported.
    public let to: CalendarDay
    /// The zone's name as given, e.g. `Europe/Berlin`.
    public let zoneName: String
    /// The zone.
    public let timeZone: TimeZone
    /// `from`'s local midnight.
    public let start: Date
    /// `to`'s local midnight (excluded).
    public let end: Date

    /// The longest period a report covers, in days: every per-day list stays bounded.
    public static let maximumDays = 3_660

    /// Creates a period; refuses an unknown zone, `from` not before `to`, or a period longer
    /// than ``maximumDays``.
    public init(from: CalendarDay, to: CalendarDay, zoneName: String) throws(KPIPeriodError) {
        guard let zone = Self.timeZone(named: zoneName) else { throw .unknownZone(zoneName) }
        guard from < to else { throw .emptyPeriod(from: from, to: to) }
        let days = Int((to.endInUTC.timeIntervalSince(from.endInUTC) / 86_400).rounded())
        guard days <= Self.maximumDays else { throw .periodTooLong(from: from, to: to, days: days) }
        self.from = from
        self.to = to
        self.zoneName = zoneName
        timeZone = zone
        start = Self.localMidnight(of: from, in: zone)
        end = Self.localMidnight(of: to, in: zone)
    }

    /// An IANA zone by name (`UTC` and `Etc/UTC` included); nil for anything else, including
    /// POSIX-style offsets such as `GMT+2` whose sign PostgreSQL reads the other way round.
    public static func timeZone(named name: String) -> TimeZone? {
        guard TimeZone.knownTimeZoneIdentifiers.contains(name) || ["UTC", "Etc/UTC", "GMT", "Etc/GMT"].contains(name)
        else { return nil }
        return TimeZone(identifier: name)
    }

    /// Every local day of the period, in order.
    public var days: [CalendarDay] {
        var result: [CalendarDay] = []
        var day = from
        while day < to {
            result.append(day)
            day = day.next
        }
        return result
    }

    /// ISO-8601 local time with the zone's offset at that instant, e.g. `2026-03-29T00:00:00+01:00`.
    public func localText(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let offset = timeZone.secondsFromGMT(for: date)
        let zone = offset == 0 ? "Z" : (offset < 0 ? "-" : "+") + Self.pad(abs(offset) / 3600) + ":" + Self.pad(abs(offset) % 3600 / 60)
        let day = CalendarDay(year: parts.year ?? 0, month: parts.month ?? 1, day: parts.day ?? 1).map(String.init(describing:)) ?? "?"
        return "\(day)T\(Self.pad(parts.hour ?? 0)):\(Self.pad(parts.minute ?? 0)):\(Self.pad(parts.second ?? 0))\(zone)"
    }

    /// The first instant of a local day; on a day whose midnight a DST change skips, the
    /// first instant that exists.
    static func localMidnight(of day: CalendarDay, in zone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let noon = calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day, hour: 12))!
        return calendar.startOfDay(for: noon)
    }

    private static func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}

extension CalendarDay {
    /// The following calendar day.
    public var next: CalendarDay {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        let parts = calendar.dateComponents([.year, .month, .day], from: endInUTC)
        return CalendarDay(year: parts.year!, month: parts.month!, day: parts.day!)!
    }
}
