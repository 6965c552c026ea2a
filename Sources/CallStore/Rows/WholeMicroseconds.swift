import Foundation

extension Date {
    /// The instant at PostgreSQL's precision, so what is written compares equal to what is read.
    var wholeMicroseconds: Date {
        Date(timeIntervalSince1970: (timeIntervalSince1970 * 1_000_000).rounded() / 1_000_000)
    }
}
