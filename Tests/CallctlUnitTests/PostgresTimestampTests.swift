import Foundation
import Postgres
import Testing

@Suite("timestamptz text")
struct PostgresTimestampTests {
    @Test("PostgreSQL's ISO output and ISO-8601 forms parse to the same instant", arguments: [
        "2026-11-21 07:03:21.5+00",
        "2026-11-21 08:03:21.5+01",
        "2026-11-21 12:33:21.5+05:30",
        "2026-11-21T07:03:21.500Z",
        "2026-11-21 02:03:21.5-05",
    ])
    func offsets(text: String) throws {
        let date = try #require(PGTimestamp.parse(text))
        #expect(date.timeIntervalSince1970 == 1_795_244_601.5)
    }

    @Test("formatting keeps microseconds and round-trips, before and after 1970")
    func roundTrip() throws {
        for seconds in [0.0, 1_795_244_601.123456, -86_400.25, 951_782_400] {
            let date = Date(timeIntervalSince1970: seconds)
            let text = PGTimestamp.format(date)
            let parsed = try #require(PGTimestamp.parse(text))
            #expect(abs(parsed.timeIntervalSince1970 - seconds) < 0.000_001, "\(text)")
        }
        #expect(PGTimestamp.format(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00.000000Z")
    }

    @Test("garbage and infinities are refused", arguments: ["", "infinity", "2026-13-01 00:00:00+00", "2026-11-21", "2026-11-21 07:03:21", "2026-11-21 07:03:21+0x"])
    func refusesGarbage(text: String) {
        #expect(PGTimestamp.parse(text) == nil)
    }
}
