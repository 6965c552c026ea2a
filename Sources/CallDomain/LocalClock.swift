import Foundation

/// An instant's wall-clock text in one time zone, computed from the zone's offset at that
/// instant. It avoids Foundation's `DateFormatter`, whose first use loads ICU's data: a one-shot
/// command such as `callctl call show` would spend a third of its run on it.
public struct LocalClock: Sendable {
    /// The zone the text is in.
    public let timeZone: TimeZone

    public init(_ timeZone: TimeZone) {
        self.timeZone = timeZone
    }

    /// The zone's name as people write it: `UTC` rather than Foundation's `GMT`.
    public var zoneName: String { timeZone.identifier == "GMT" ? "UTC" : timeZone.identifier }

    /// `2026-12-04 14:06:12`.
    public func dateTime(_ date: Date) -> String {
        let parts = fields(date)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d", parts.year, parts.month, parts.day, parts.hour, parts.minute, parts.second)
    }

    /// `14:06`.
    public func hourMinute(_ date: Date) -> String {
        let parts = fields(date)
        return String(format: "%02d:%02d", parts.hour, parts.minute)
    }

    private func fields(_ date: Date) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        var time = time_t(floor(date.timeIntervalSince1970) + Double(timeZone.secondsFromGMT(for: date)))
        var parts = tm()
        gmtime_r(&time, &parts)
        return (Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min),
                Int(parts.tm_sec))
    }
}
