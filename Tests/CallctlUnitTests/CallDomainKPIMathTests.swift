import CallDomain
import Testing

@Suite("KPI maths")
struct CallDomainKPIMathTests {
    @Test("ratios divide safely and add term by term")
    func ratio() {
        #expect(KPIRatio(3, over: 4).value == 0.75)
        #expect(KPIRatio(0, over: 4).value == 0)
        #expect(KPIRatio(0, over: 0).value == nil)
        #expect(KPIRatio(3, over: 0).value == nil)
        #expect(KPIRatio(1, over: 2) + KPIRatio(2, over: 6) == KPIRatio(3, over: 8))
    }

    @Test("percentile_cont matches values computed by hand", arguments: [
        (0.95, [1.0, 2, 3, 4], 3.85),
        (0.5, [1.0, 2, 3, 4], 2.5),
        (0.1, [1.0, 2, 3, 4], 1.3),
        (0.25, [1.0, 2, 3, 4], 1.75),
        (0.0, [1.0, 2, 3, 4], 1.0),
        (1.0, [1.0, 2, 3, 4], 4.0),
        (0.25, [10.0, 20, 30, 40, 50], 20.0),
        (0.9, [10.0, 20, 30, 40, 50], 46.0),
        (0.95, [120.0, 340, 560, 980, 2400], 2116.0),
        (0.5, [7.0], 7.0),
        (0.95, [7.0], 7.0),
        (0.5, [1.0, 1, 1, 100], 1.0),
    ])
    func percentile(fraction: Double, values: [Double], expected: Double) throws {
        let result = try #require(KPIMath.percentileCont(fraction, sorted: values))
        #expect(abs(result - expected) < 1e-9, "got \(result)")
    }

    @Test("percentile of nothing, or outside 0...1, is nil")
    func percentileNil() {
        #expect(KPIMath.percentileCont(0.5, sorted: []) == nil)
        #expect(KPIMath.percentileCont(-0.1, sorted: [1]) == nil)
        #expect(KPIMath.percentileCont(1.1, sorted: [1]) == nil)
        #expect(KPIMath.percentileCont(.nan, sorted: [1]) == nil)
    }

    @Test("mean")
    func mean() {
        #expect(KPIMath.mean([]) == nil)
        #expect(KPIMath.mean([1, 2, 3, 4]) == 2.5)
    }

    @Test("percent text", arguments: [
        (0.75, "75.0%"), (1.0, "100.0%"), (0.0, "0.0%"), (0.12345, "12.3%"), (0.12351, "12.4%"),
        (0.0005, "0.1%"), (0.00049, "0.0%"), (2.5, "250.0%"), (-0.25, "-25.0%"),
    ])
    func percentText(rate: Double, text: String) {
        #expect(KPIMath.percentText(rate) == text)
    }

    @Test("no data is a dash")
    func percentNil() {
        #expect(KPIMath.percentText(nil) == "—")
        #expect(KPIMath.percentText(.infinity) == "—")
        #expect(KPIMath.percentText(KPIRatio(1, over: 0).value) == "—")
    }
}
