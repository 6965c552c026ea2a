import ArgumentParser
import CallDomain

/// The output formats of `callctl kpi`.
enum KPIFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case table, csv, json, prometheus, html

    /// The report in this format.
    func render(_ report: KPIReport) throws -> String {
        switch self {
        case .table: KPITableFormat.render(report)
        case .csv: KPICSVFormat.render(report)
        case .json: try KPIJSONFormat.render(report)
        case .prometheus: KPIPrometheusFormat.render(report)
        case .html: KPIHTMLFormat.render(report)
        }
    }
}

extension KPIGrouping: ExpressibleByArgument {}
