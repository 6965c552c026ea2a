import CallDomain
import Foundation
import Testing

@Suite("Doctor snapshot and calendar days")
struct CallDomainDoctorTests {
    @Test("license edges to the second, in UTC")
    func licenseEdges() throws {
        let doctor = DoctorSnapshot(status: .active, licenseValidUntil: CalendarDay("2026-03-29"))
        #expect(!doctor.licenseExpired(at: try DomainFixture.instant("2026-03-29T00:00:00Z")))
        #expect(!doctor.licenseExpired(at: try DomainFixture.instant("2026-03-29T23:59:59Z")))
        #expect(!doctor.licenseExpired(at: try DomainFixture.instant("2026-03-30T01:59:59+02:00")))
        #expect(doctor.licenseExpired(at: try DomainFixture.instant("2026-03-30T00:00:00Z")))
        #expect(doctor.licenseExpired(at: try DomainFixture.instant("2026-03-29T20:00:00-04:00")))
        #expect(!DoctorSnapshot(status: .active).licenseExpired(at: .distantFuture))
    }

    @Test("calendar days parse, validate and print")
    func calendarDay() throws {
        #expect(CalendarDay("2026-02-28") == CalendarDay(year: 2026, month: 2, day: 28))
        #expect(CalendarDay("2028-02-29") != nil)
        for bad in ["2026-02-29", "2026-13-01", "2026-1-01", "26-01-01", "2026-01-01T00:00:00Z", "", "２０２６-01-01"] {
            #expect(CalendarDay(bad) == nil, "\(bad)")
        }
        let day = try #require(CalendarDay(year: 2026, month: 3, day: 9))
        #expect(day.description == "2026-03-09")
        #expect(day.endInUTC == (try DomainFixture.instant("2026-03-10T00:00:00Z")))
        #expect(day < (try #require(CalendarDay("2026-03-10"))))
    }
}
