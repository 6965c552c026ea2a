import Postgres
import Testing

@Suite("pool admission: refusing a wait longer than the timeout")
struct PoolAdmissionTests {
    @Test("without an observed hold time nobody is refused early")
    func noEstimate() {
        let admission = PoolAdmission()
        #expect(admission.expectedWait(position: 1000, size: 1) == nil)
        #expect(!admission.refusesAtOnce(position: 1000, size: 1, timeout: .milliseconds(1)))
    }

    @Test("the expected wait is position / size x mean hold; refused only beyond the timeout")
    func expectedWait() {
        var admission = PoolAdmission()
        admission.record(hold: .milliseconds(40))
        #expect(admission.expectedWait(position: 16, size: 16) == .milliseconds(40))
        #expect(admission.expectedWait(position: 800, size: 16) == .seconds(2))
        #expect(!admission.refusesAtOnce(position: 800, size: 16, timeout: .seconds(2)))
        #expect(admission.refusesAtOnce(position: 801, size: 16, timeout: .seconds(2)))
    }

    @Test("the mean follows new hold times by an eighth of the difference")
    func movingMean() {
        var admission = PoolAdmission()
        admission.record(hold: .milliseconds(80))
        admission.record(hold: .milliseconds(160))
        #expect(admission.averageHold == .milliseconds(90))
        for _ in 0..<100 { admission.record(hold: .milliseconds(10)) }
        let settled = try? #require(admission.averageHold)
        #expect(settled.map { $0 < .milliseconds(11) } == true)
    }
}
