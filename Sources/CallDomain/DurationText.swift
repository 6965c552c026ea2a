/// Durations as people type and read them: `900` (seconds), `90s`, `15m`, `1h30m`, `30d`.
public enum DurationText {
    /// The number of seconds `text` denotes, or nil when it is not a duration.
    ///
    /// Accepted: an optional `-`, then either plain digits (seconds) or one to three
    /// `<digits><unit>` groups with units `d`, `h`, `m`, `s` in that order, each at most once
    /// (`1h30m`, `2h`, `45s`, `1h0m30s`, `30d`, `1d12h`). A value too large for `Int` is clamped to `Int.max`
    /// (or `Int.min`), so range checks still reject it with the text as typed.
    public static func seconds(from text: String) -> Int? {
        var rest = Substring(text)
        let negative = rest.first == "-"
        if negative { rest = rest.dropFirst() }
        guard !rest.isEmpty else { return nil }
        if rest.allSatisfy(isDigit) {
            return signed(value(of: rest), negative)
        }
        var total = 0
        var unitsLeft: [(Character, Int)] = [("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)]
        while !rest.isEmpty {
            let digits = rest.prefix(while: isDigit)
            rest = rest.dropFirst(digits.count)
            guard !digits.isEmpty, let unit = rest.first,
                  let index = unitsLeft.firstIndex(where: { $0.0 == unit })
            else { return nil }
            let factor = unitsLeft[index].1
            unitsLeft.removeFirst(index + 1)
            rest = rest.dropFirst()
            let (part, overflowA) = value(of: digits).multipliedReportingOverflow(by: factor)
            let (sum, overflowB) = total.addingReportingOverflow(part)
            total = overflowA || overflowB ? Int.max : sum
        }
        return signed(total, negative)
    }

    /// Formats seconds for display: two or more whole days as `30d`, other whole minutes as
    /// `15m`, `1h30m` or `24h`, anything else as `90s`.
    ///
    /// ``seconds(from:)`` reads every output back to the same number.
    public static func format(seconds: Int) -> String {
        (seconds < 0 ? "-" : "") + formatMagnitude(seconds.magnitude)
    }

    private static func formatMagnitude(_ seconds: UInt) -> String {
        guard seconds > 0, seconds % 60 == 0 else { return "\(seconds)s" }
        if seconds % 86_400 == 0, seconds >= 2 * 86_400 { return "\(seconds / 86_400)d" }
        let hours = seconds / 3600
        let minutes = seconds % 3600 / 60
        switch (hours, minutes) {
        case (0, _): return "\(minutes)m"
        case (_, 0): return "\(hours)h"
        default: return "\(hours)h\(minutes)m"
        }
    }

    private static func isDigit(_ character: Character) -> Bool {
        character.isASCII && character.isNumber
    }

    private static func value(of digits: Substring) -> Int {
        Int(digits) ?? Int.max
    }

    private static func signed(_ value: Int, _ negative: Bool) -> Int {
        guard negative else { return value }
        return value == Int.max ? Int.min : -value
    }
}
